// The words of the election systems inventory: what a system is, how it connects (the connectivity classes
// of the CIS Handbook for Elections Infrastructure Security), and its certification. One list each; the API,
// forms, CSV import and export read these.

export const ASSET_COMPONENTS = {
  'voter-registration-database': 'Voter registration database',
  'online-registration-portal': 'Online voter registration portal',
  'election-management-system': 'Election management system',
  'election-night-results-site': 'Election-night results site',
  'e-pollbook': 'E-pollbook',
  'ballot-marking-device': 'Ballot marking device',
  'scanner-tabulator': 'Scanner or tabulator',
  'email-domain': 'Email domain',
  'public-website': 'Public website',
  'network-range': 'Network range',
} as const;
export type AssetComponent = keyof typeof ASSET_COMPONENTS;
export const ASSET_COMPONENT_IDS = Object.keys(ASSET_COMPONENTS) as AssetComponent[];

/** CIS Handbook for Elections Infrastructure Security, connectivity classes. */
export const CONNECTIVITY = {
  'network-connected': 'Network-connected',
  'indirect-removable-media': 'Indirectly connected (removable media)',
  'never-connected': 'Never connected',
} as const;
export type Connectivity = keyof typeof CONNECTIVITY;

export const CERTIFICATION = {
  'eac-certified': 'EAC certified (VVSG)',
  'state-certified': 'State certified',
  'not-certified': 'Not certified',
  'not-applicable': 'Not applicable',
  unknown: 'Unknown',
} as const;
export type Certification = keyof typeof CERTIFICATION;

/** Equipment this close to its end of support is "near" it: budget requests take a year or more. */
export const NEAR_END_OF_SUPPORT_DAYS = 540;
