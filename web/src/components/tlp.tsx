// TLP 2.0 labels: a badge (colour and text, never colour alone) and a picker that explains each label.
import type { Tlp } from '../api.js';

export const TLP_LEVELS: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export const TLP_EXPLANATION: Record<Tlp, string> = {
  CLEAR: 'Anyone may see it, and it may be published on public pages.',
  GREEN: 'Every member of the community may see it, but it is not for the public.',
  AMBER: 'Your organisation and the organisations you pick; they may pass it on to their own local offices.',
  'AMBER+STRICT': 'Your organisation and the organisations you pick, and no one else: no passing on.',
  RED: 'Only the people you name. Not their colleagues, not their organisation.',
};

export function tlpClass(tlp: Tlp): string {
  return `tlp tlp--${tlp.toLowerCase().replace('+', '-')}`;
}

export function TlpBadge({ tlp }: { tlp: Tlp }) {
  return (
    <span className={tlpClass(tlp)} title={TLP_EXPLANATION[tlp]}>
      TLP:{tlp}
    </span>
  );
}

export function TlpPicker({ value, onChange, name = 'tlp', allowed = TLP_LEVELS }: { value: Tlp; onChange: (t: Tlp) => void; name?: string; allowed?: readonly Tlp[] }) {
  return (
    <fieldset className="usa-fieldset">
      <legend className="usa-legend usa-legend">Who may see it (TLP)</legend>
      {allowed.map((t) => {
        const id = `${name}-${t.toLowerCase().replace('+', '-')}`;
        return (
          <div className="usa-radio" key={t}>
            <input className="usa-radio__input usa-radio__input--tile" id={id} type="radio" name={name} value={t} checked={value === t} onChange={() => onChange(t)} />
            <label className="usa-radio__label" htmlFor={id}>
              <TlpBadge tlp={t} />
              <span className="usa-checkbox__label-description">{TLP_EXPLANATION[t]}</span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}
