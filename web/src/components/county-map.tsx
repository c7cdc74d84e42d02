// The counties of one state, coloured by their most severe open incident. The county shapes (us-atlas, about
// 800 KB) are loaded only when someone drills into a state. Every county with incidents is a focusable shape
// with a name; the table beside the map has the same figures.
import { useEffect, useMemo, useState } from 'react';
import { geoAlbersUsa, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { Feature, Geometry } from 'geojson';

export interface CountyValue {
  readonly fips: string;
  readonly label: string;
  readonly fill: string;
}

type Counties = Topology<{ counties: GeometryCollection<{ name: string }> }>;
let atlas: Promise<Counties> | null = null;
const loadAtlas = () => (atlas ??= import('us-atlas/counties-10m.json').then((m) => (m.default ?? m) as unknown as Counties));

export function CountyMap({ stateFips, values, label, blank = 'no open incidents' }: { stateFips: string; values: readonly CountyValue[]; label: string; blank?: string }) {
  const [topology, setTopology] = useState<Counties | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => void loadAtlas().then(setTopology, () => setFailed(true)), []);
  const shapes = useMemo(() => {
    if (!topology) return [];
    const all = feature(topology, topology.objects.counties).features as Array<Feature<Geometry, { name: string }>>;
    const mine = all.filter((f) => String(f.id).startsWith(stateFips));
    if (!mine.length) return [];
    const projection = geoAlbersUsa().fitSize([960, 600], { type: 'FeatureCollection', features: mine });
    const path = geoPath(projection);
    return mine.map((f) => ({ fips: String(f.id), name: f.properties.name, d: path(f) }));
  }, [topology, stateFips]);
  if (failed) return null;
  if (!topology) return <p className="text-base" role="status">Loading the county map…</p>;
  if (!shapes.length) return null;
  const byFips = new Map(values.map((v) => [v.fips, v]));
  return (
    <svg className="us-map" viewBox="0 0 960 600" role="group" aria-label={label}>
      {shapes.map((s) => {
        const v = byFips.get(s.fips);
        return (
          <path key={s.fips} d={s.d ?? undefined} fill={v?.fill ?? '#f0f0f0'} tabIndex={v ? 0 : -1} aria-label={v ? v.label : `${s.name}: ${blank}`}>
            <title>{v ? v.label : `${s.name}: ${blank}`}</title>
          </path>
        );
      })}
    </svg>
  );
}
