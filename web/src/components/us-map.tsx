// A map of the states (Albers USA: the 48, Alaska and Hawaii) shaded by how many local offices each has
// in the directory; territories, which the projection leaves out, are buttons beside it. Every shape is a
// keyboard-focusable button with a name, and the same figures are in the table on the page.
import { useMemo, type ReactNode } from 'react';
import { geoAlbersUsa, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import atlas from 'us-atlas/states-10m.json' with { type: 'json' };

export interface MapState {
  readonly fips: string;
  readonly name: string;
  readonly value: number;
}

const SHADES = ['#e7f2f5', '#99deea', '#00bde3', '#0081a1', '#00687d'];

function shade(value: number, max: number): string {
  if (value <= 0 || max <= 0) return '#f0f0f0';
  const i = Math.min(SHADES.length - 1, Math.floor((value / max) * (SHADES.length - 1) + 0.5));
  return SHADES[i]!;
}

export interface MapLook {
  /** Colour of a state that has a value; default: shades by value. */
  readonly fillOf?: (state: MapState) => string;
  /** Accessible name of a state's shape. */
  readonly describe?: (name: string, state: MapState | undefined) => string;
  /** Replaces the default legend. */
  readonly legend?: ReactNode;
  readonly label?: string;
  /** States without a value can be chosen too (the board drills into any state). */
  readonly allSelectable?: boolean;
}

export function UsMap({ states, selected, onSelect, look = {} }: { states: readonly MapState[]; selected: string | null; onSelect: (fips: string) => void; look?: MapLook }) {
  const shapes = useMemo(() => {
    const topology = atlas as unknown as Topology<{ states: GeometryCollection<{ name: string }> }>;
    const collection = feature(topology, topology.objects.states);
    const projection = geoAlbersUsa().fitSize([960, 600], collection);
    const path = geoPath(projection);
    return collection.features.map((f) => ({ fips: String(f.id), name: f.properties.name, d: path(f) }));
  }, []);
  const byFips = new Map(states.map((s) => [s.fips, s]));
  const max = Math.max(0, ...states.map((s) => s.value));
  const offMap = shapes.filter((s) => !s.d && byFips.has(s.fips));
  return (
    <figure className="margin-0">
      <svg className="us-map" viewBox="0 0 960 600" role="group" aria-label={look.label ?? 'Map of states and their local offices in the directory'}>
        {shapes
          .filter((s) => s.d)
          .map((s) => {
            const st = byFips.get(s.fips);
            const label = look.describe ? look.describe(s.name, st) : `${s.name}: ${st ? `${st.value} local office${st.value === 1 ? '' : 's'}` : 'not in the directory'}`;
            const selectable = Boolean(st) || Boolean(look.allSelectable);
            return (
              <path
                key={s.fips}
                d={s.d ?? undefined}
                fill={st && look.fillOf ? look.fillOf(st) : shade(st?.value ?? 0, max)}
                className={selected === s.fips ? 'selected' : undefined}
                tabIndex={selectable ? 0 : -1}
                role="button"
                aria-label={label}
                aria-pressed={selected === s.fips}
                onClick={() => selectable && onSelect(s.fips)}
                onKeyDown={(e) => {
                  if (selectable && (e.key === 'Enter' || e.key === ' ')) {
                    e.preventDefault();
                    onSelect(s.fips);
                  }
                }}
              >
                <title>{label}</title>
              </path>
            );
          })}
      </svg>
      {look.legend ?? (
      <figcaption className="map-legend margin-top-1">
        <span>Local offices:</span>
        <span>
          <span className="swatch bg-base-lightest" /> none
        </span>
        {SHADES.map((c, i) => (
          <span key={c}>
            <svg width="16" height="16" aria-hidden="true">
              <rect width="16" height="16" fill={c} stroke="#71767a" />
            </svg>{' '}
            {i === 0 ? 'few' : i === SHADES.length - 1 ? `up to ${max}` : ''}
          </span>
        ))}
      </figcaption>
      )}
      {offMap.length > 0 && (
        <div className="margin-top-1">
          <span className="margin-right-1">Territories:</span>
          {offMap.map((s) => (
            <button key={s.fips} type="button" aria-pressed={selected === s.fips} className={`usa-button usa-button--small ${selected === s.fips ? '' : 'usa-button--outline'} margin-bottom-1`} onClick={() => onSelect(s.fips)}>
              {look.describe ? look.describe(s.name, byFips.get(s.fips)) : `${s.name} (${byFips.get(s.fips)?.value ?? 0})`}
            </button>
          ))}
        </div>
      )}
    </figure>
  );
}
