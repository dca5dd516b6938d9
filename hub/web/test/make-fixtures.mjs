// Writes fixtures/*.json: API answers that follow docs/hub-api.md (the contract) exactly, for
// developing and testing the app without the server (tests/hub/web/fixture_server.mjs serves
// them). Deterministic: a fixed seed, fixed dates. Run: node hub/web/test/make-fixtures.mjs
import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
mkdirSync(out, {recursive: true});
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const ri = (a, b) => a + Math.floor(rnd() * (b - a + 1));

function figures(scale = 1, csatBias = 0) {
  const visitors = Math.round(ri(200, 900) * scale);
  const responses = Math.round(visitors * (0.04 + rnd() * 0.1));
  if (responses === 0) {
    return {
      visitors_in: visitors,
      visitors_out: visitors,
      responses: 0,
      suspect: 0,
      abandoned: 0,
      response_rate: visitors ? 0 : null,
      csat_mean: null,
      csat_n: 0,
      csat_dist: [0, 0, 0, 0, 0],
      csat_satisfied_pct: null,
      nps: null,
      nps_n: 0,
      effort_mean: null,
      effort_n: 0,
      unhappy: 0,
      gap_s: 0,
      counted_s: 36000,
      confidence: 'low_n',
      ...dwellAndCrowd(visitors, dist, 0)
    };
  }
  const p = [0.05, 0.08, 0.17, 0.4, 0.3].map(
      (x, i) => Math.max(0.01, x + (i < 2 ? -csatBias : csatBias / 2) * 0.1));
  const dist = [0, 0, 0, 0, 0];
  for (let i = 0; i < responses; i++) {
    let r = rnd() * p.reduce((a, b) => a + b);
    let k = 0;
    while (r > p[k] && k < 4) r -= p[k++];
    dist[k]++;
  }
  const mean = dist.reduce((a, n, i) => a + n * (i + 1), 0) / responses;
  const gap = rnd() < 0.1 ? 4000 : 0;
  return {
    visitors_in: visitors,
    visitors_out: visitors - ri(0, 5),
    responses,
    suspect: ri(0, 2),
    abandoned: ri(0, 6),
    response_rate: Number((responses / visitors).toFixed(4)),
    csat_mean: Number(mean.toFixed(3)),
    csat_n: responses,
    csat_dist: dist,
    csat_satisfied_pct: Number((100 * (dist[3] + dist[4]) / responses).toFixed(1)),
    nps: Number((ri(-30, 60)).toFixed(1)),
    nps_n: Math.round(responses * 0.8),
    effort_mean: Number((2 + rnd() * 2.5).toFixed(2)),
    effort_n: Math.round(responses * 0.6),
    unhappy: dist[0] + dist[1],
    gap_s: gap,
    counted_s: 36000,
    confidence: responses < 10 ? 'low_n' :
        gap > 1800             ? 'coverage_gap' :
                                 'ok',
    ...dwellAndCrowd(visitors, dist, responses)
  };
}

// Dwell (footfall v2 zones) and CSAT by crowding band (feedback v2 context), as the API adds
// them to every figures object: a queue zone, and the answers spread over the bands with fewer
// satisfied ones in crowds.
function dwellAndCrowd(visitors, dist, responses) {
  const n = Math.round(visitors * 0.6);
  const mean = 30 + rnd() * 60;
  const queue = {mean_s: Number(mean.toFixed(1)), p90_s: Number((mean * 2.2).toFixed(1)), n};
  const bands = ['0', '1-2', '3-5', '6-10', '11+'];
  const crowd = {};
  let left = responses;
  bands.forEach((b, i) => {
    const k = i === bands.length - 1 ? left : Math.round(responses * [0.2, 0.35, 0.25, 0.15][i]);
    left -= k;
    const sat = k ? Number(Math.max(0, 80 - i * 12 + (rnd() - 0.5) * 10).toFixed(1)) : null;
    crowd[b] = {
      csat_n: k,
      csat_mean: k ? Number((4.3 - i * 0.3).toFixed(2)) : null,
      csat_satisfied_pct: sat
    };
  });
  return {
    dwell_mean_s: n ? queue.mean_s : null,
    dwell_p90_s: n ? queue.p90_s : null,
    dwell_n: n,
    dwell_by_zone: n ? {queue} : {},
    with_context: responses,
    csat_by_crowd: crowd
  };
}

const stages = ['arrive', 'browse', 'try', 'pay'];
const touchpoints = ['entrance', 'fitting-room', 'checkout'];
const regions = {
  north: ['store-0001', 'store-0002', 'store-0003'],
  south: ['store-0004', 'store-0005']
};
const stores = Object.entries(regions).flatMap(
    ([r, ss]) => ss.map((s) => ({store: s, region: r, utc_offset_min: r === 'north' ? 60 : 120})));
const filter = {
  from: '2026-11-02',
  to: '2026-11-29',
  stores: stores.map((s) => s.store),
  touchpoint: '',
  stage: '',
  suspect: false
};
const user = {
  user: 'admin',
  role: 'admin',
  regions: [],
  csrf: 'f'.repeat(32)
};
const w = (name, obj) =>
    writeFileSync(join(out, `${name}.json`), JSON.stringify(obj, null, 1) + '\n');

w('session', user);
w('rules', {
  rules: [{
    id: 1,
    name: 'unhappy spike',
    metric: 'unhappy_pct',
    op: '>=',
    threshold: 50,
    window_min: 15,
    min_n: 4,
    scope: 'stores'
  }]
});
w('users', {
  users: [
    {user: 'admin', role: 'admin', regions: []},
    {user: 'nora', role: 'regional', regions: ['north']}
  ]
});
const hubToml = `[journey]
stages = [${stages.map((x) => JSON.stringify(x)).join(', ')}]

[regions]
${Object.entries(regions).map(([r, ss]) => `${r} = [${ss.map((x) => JSON.stringify(x)).join(', ')}]`).join('\n')}

[opening_hours]
mon = "09:00-20:00"
tue = "09:00-20:00"
wed = "09:00-20:00"
thu = "09:00-20:00"
fri = "09:00-20:00"
sat = "10:00-18:00"
sun = "closed"
`;
const week = {
  mon: ['09:00-20:00'],
  tue: ['09:00-20:00'],
  wed: ['09:00-20:00'],
  thu: ['09:00-20:00'],
  fri: ['09:00-20:00'],
  sat: ['10:00-18:00'],
  sun: []
};
w('config', {
  path: '/etc/touchpoint/hub.toml',
  writable: true,
  text: hubToml,
  config: {stages, regions, opening_hours: {default: week, regions: {}, stores: {}}}
});
w('meta', {stages, touchpoints, regions, stores, user, now_ms: Date.UTC(2026, 10, 30, 12)});

const reasons = ['queue', 'staff', 'price', 'stock', 'cleanliness', 'fitting_wait'];
const cells = [];
for (const tp of touchpoints) {
  for (const st of stages) {
    if (tp === 'entrance' && st === 'pay') continue;  // a combination without a kiosk
    const bias = tp === 'checkout' && st === 'pay' ? -2 : 0;
    const f = figures(tp === 'fitting-room' && st === 'arrive' ? 0.05 : 1, bias);
    cells.push({
      touchpoint: tp,
      stage: st,
      figures: f,
      previous: figures(1, 0),
      pain_points: reasons.slice(ri(0, 3), ri(4, 6))
                       .slice(0, 3)
                       .map((r) => ({reason: r, sessions: ri(8, 40), unhappy: ri(1, 8)}))
    });
  }
}
const curve = ['north', 'south'].map(
    (name) => ({
      name,
      points: stages.map((st) => ({
                           stage: st,
                           figures: figures(1, st === 'pay' && name === 'south' ? -2 : 0),
                           previous: figures()
                         }))
    }));
w('journey', {
  filter,
  previous_period: {from: '2026-10-05', to: '2026-11-01'},
  stages,
  touchpoints,
  cells,
  curve
});

const days = Array.from(
    {length: 28}, (_, i) => new Date(Date.UTC(2026, 10, 2 + i)).toISOString().slice(0, 10));
const prevDays = Array.from(
    {length: 28}, (_, i) => new Date(Date.UTC(2026, 9, 5 + i)).toISOString().slice(0, 10));
w('trends', {
  filter,
  previous_period: {from: '2026-10-05', to: '2026-11-01'},
  bucket: 'day',
  series: [{key: 'all', points: days.map((d) => ({date: d, figures: figures(0.3)}))}],
  previous_series: [{key: 'all', points: prevDays.map((d) => ({date: d, figures: figures(0.3)}))}]
});

const hm = [];
for (let wd = 1; wd <= 7; wd++) {
  for (let hr = 8; hr <= 20; hr++) {
    const shape = (wd >= 6 ? 1.6 : 1) * Math.exp(-((hr - 14) ** 2) / 18);
    hm.push({
      weekday: wd,
      hour: hr,
      figures: figures(shape * 0.4, wd === 6 && hr >= 15 && hr <= 17 ? -2 : 0)
    });
  }
}
w('heatmap', {filter, cells: hm});

const rows = stores.map((s) => ({
                          store: s.store,
                          region: s.region,
                          figures: figures(2, s.store === 'store-0004' ? -2 : 0)
                        }));
for (const r of rows) {
  r.raw_csat_mean = r.figures.csat_mean;
  r.score = Number(
      ((r.figures.csat_n * r.figures.csat_mean + 50 * 3.9) / (r.figures.csat_n + 50)).toFixed(3));
}
rows.sort((a, b) => b.score - a.score);
rows.forEach((r, i) => {
  r.rank = i + 1;
  r.previous_rank = ((i + 2) % rows.length) + 1;
  r.previous_score = Number((r.score + (rnd() - 0.5) * 0.2).toFixed(3));
});
w('stores', {
  filter,
  previous_period: {from: '2026-10-05', to: '2026-11-01'},
  method:
      'score = (n × store CSAT mean + m × chain CSAT mean) / (n + m) with m = 50 responses and chain mean 3.90: stores with few responses are pulled toward the chain mean.',
  stores: rows.map((r) => ({
                     store: r.store,
                     region: r.region,
                     rank: r.rank,
                     score: r.score,
                     raw_csat_mean: r.raw_csat_mean,
                     figures: r.figures,
                     previous_rank: r.previous_rank,
                     previous_score: r.previous_score
                   }))
});

const now = Date.UTC(2026, 10, 30, 12);
const kiosks = [];
for (const s of stores) {
  for (const tp of touchpoints) {
    const k = `${s.store.replace('store', 'k')}-${tp}`;
    const off = s.store === 'store-0003' && tp === 'checkout';
    const stale = s.store === 'store-0005' && tp === 'entrance';
    kiosks.push({
      kiosk: k,
      store: s.store,
      region: s.region,
      state: off ? 'offline' : 'online',
      stale,
      last_status_ms: now -
          (off       ? 7800000 :
               stale ? 2400000 :
                       40000),
      received_ms: now - 30000,
      last_event_ms: now - (off ? 7800000 : 60000),
      queue_depth: off ? null : ri(0, 20),
      oldest_pending_ms: off ? null : now - ri(5, 90) * 1000,
      last_ack_ms: now - (off ? 7800000 : 35000),
      camera: tp === 'entrance' ? (stale ? 'off' : 'counting') : 'unknown',
      coverage_gap_s: stale ? 2400 : 0,
      seq_gaps: off ? 3 : 0,
      rejects: 0,
      conflicts: 0,
      time_out_of_range: 0,
      software_version: '0.1.0+7f719b5',
      config_version: 'store-visit@3',
      problems: off ? ['offline for 2 h 10 min'] :
          stale     ? ['no status for 40 min', 'camera off for 40 min'] :
                      []
    });
  }
}
w('fleet', {now_ms: now, kiosks});
w('store-0001', {
  filter: {...filter, stores: ['store-0001']},
  store: 'store-0001',
  region: 'north',
  figures: figures(3),
  previous: figures(3),
  touchpoints: cells.slice(0, 6).map(
      (c) => ({touchpoint: c.touchpoint, stage: c.stage, figures: figures(0.5)})),
  hours: hm.map((c) => ({...c, figures: figures(0.1)})),
  days: days.map((d) => ({date: d, figures: figures(0.15)})),
  kiosks: kiosks.filter((k) => k.store === 'store-0001')
});
const weeks = ['2026-W45', '2026-W46', '2026-W47', '2026-W48'];
w('painpoints', {
  filter,
  previous_period: {from: '2026-10-05', to: '2026-11-01'},
  reasons: reasons
               .map((r) => {
                 const sessions = ri(20, 120);
                 const unhappy = ri(2, Math.floor(sessions / 2));
                 return {
                   reason: r,
                   sessions,
                   unhappy,
                   unhappy_share: Number((unhappy / sessions).toFixed(4)),
                   by: stages.slice(0, 3).map((st, i) => ({
                                                touchpoint: touchpoints[i],
                                                stage: st,
                                                sessions: ri(5, 40),
                                                unhappy: ri(1, 10)
                                              })),
                   weeks: weeks.map((wk) => ({week: wk, sessions: ri(5, 30), unhappy: ri(0, 10)})),
                   previous: {sessions: ri(20, 120), unhappy: ri(2, 30)}
                 };
               })
               .sort((a, b) => b.unhappy - a.unhappy || b.sessions - a.sessions)
});
w('alerts', {
  alerts: [
    {
      id: 'a1',
      rule: 'unhappy-burst',
      scope: 'store-0004/checkout',
      opened_ms: now - 900000,
      value: 0.56,
      message: '56 % unhappy within 15 min (9 responses)',
      state: 'open',
      acked_by: null,
      acked_ms: null
    },
    {
      id: 'a2',
      rule: 'kiosk-offline',
      scope: 'k-0003-checkout',
      opened_ms: now - 6000000,
      value: 130,
      message: 'kiosk offline for 2 h 10 min',
      state: 'acked',
      acked_by: 'admin',
      acked_ms: now - 5000000
    },
  ]
});
