// Known kiosk events for the browser tests and tools/hub-screenshots: JSON lines in the format
// `touchpoint-kiosk` exports (docs/events.md), for `touchpoint-hub import --enrol FILE`.
// Deterministic for a given seed and "now".
import {writeFileSync} from 'node:fs';

const DAY = 86400000;

function uuid7(ms, n) {
  const hex = ms.toString(16).padStart(12, '0');
  const r = (n * 2654435761 + 12345).toString(16).padStart(8, '0').slice(-8);
  const s = (n * 40503 + 7).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${r.slice(0, 3)}-a${r.slice(3, 6)}-${s}`;
}

const iso = (ms) => new Date(ms).toISOString();

// The fleet the tests use: two regions, three stores (two time zones), a kiosk per touchpoint.
export const FLEET = [
  {
    kiosk: 'k-0001-entrance',
    store: 'store-0001',
    touchpoint: 'entrance',
    stage: 'arrive',
    offset: 60
  },
  {kiosk: 'k-0001-checkout', store: 'store-0001', touchpoint: 'checkout', stage: 'pay', offset: 60},
  {
    kiosk: 'k-0002-entrance',
    store: 'store-0002',
    touchpoint: 'entrance',
    stage: 'arrive',
    offset: 60
  },
  {
    kiosk: 'k-0002-fitting',
    store: 'store-0002',
    touchpoint: 'fitting-room',
    stage: 'try',
    offset: 60
  },
  {
    kiosk: 'k-0003-entrance',
    store: 'store-0003',
    touchpoint: 'entrance',
    stage: 'arrive',
    offset: 120
  },
  {
    kiosk: 'k-0003-checkout',
    store: 'store-0003',
    touchpoint: 'checkout',
    stage: 'pay',
    offset: 120
  },
];
export const HUB_CONFIG = `[journey]
stages = ["arrive", "browse", "try", "pay"]
[regions]
north = ["store-0001", "store-0002"]
south = ["store-0003"]
`;
const REASONS = ['queue', 'staff', 'price', 'stock', 'cleanliness'];

// Makes events for `days` days ending the day before `nowMs` (UTC dates), for every kiosk of
// FLEET: footfall per opening hour, feedback sessions, and a status now. `seqStart` maps kiosk
// -> next seq (updated), so that a second batch continues the sequence.
export function makeEvents({
  nowMs,
  days = 14,
  perHour = 2,
  seed = 1,
  seqStart = new Map(),
  statusAt = nowMs,
  firstDay = 1
}) {
  let rng = seed;
  const rnd = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [];
  let n = seed * 100000;
  const today = Math.floor(nowMs / DAY) * DAY;
  for (const k of FLEET) {
    let seq = seqStart.get(k.kiosk) || 1;
    const header = (type, ms) => ({
      schema_version: 1,
      id: uuid7(ms, n++),
      type,
      kiosk_id: k.kiosk,
      store_id: k.store,
      touchpoint: k.touchpoint,
      journey_stage: k.stage,
      seq: seq++,
      boot_count: 1,
      time: iso(ms),
      utc_offset_min: k.offset,
      clock_synced: true,
    });
    // A store with a problem at its checkout: store-0003's pay stage is rated low.
    const bad = k.store === 'store-0003' && k.stage === 'pay';
    for (let d = days + firstDay - 1; d >= firstDay; d--) {
      const day = today - d * DAY;
      for (let localHour = 9; localHour < 20; localHour++) {
        const start = day + (localHour * 60 - k.offset) * 60000;
        const busy = 1 + Math.round(4 * Math.exp(-((localHour - 15) ** 2) / 8));
        lines.push({
          ...header('footfall', start),
          data: {
            interval_start: iso(start),
            interval_s: 3600,
            lines: [{line: 'door', in : busy * 10 + Math.floor(rnd() * 5), out: busy * 10}],
            occupancy_min: 0,
            occupancy_max: busy * 3,
            occupancy_end: 1
          }
        });
        for (let i = 0; i < perHour; i++) {
          const t = start + (5 + i * 20) * 60000 + Math.floor(rnd() * 60000);
          const csat = bad ? 1 + Math.floor(rnd() * 3) : 3 + Math.floor(rnd() * 3);
          const answers = [{question_id: 'overall', type: 'csat', score: csat}];
          if (csat <= 3 || rnd() < 0.3)
            answers.push({
              question_id: 'reasons',
              type: 'tags',
              tags: [REASONS[Math.floor(rnd() * REASONS.length)]]
            });
          answers.push({question_id: 'effort', type: 'effort', score: 1 + Math.floor(rnd() * 7)});
          answers.push({
            question_id: 'recommend',
            type: 'nps',
            score: bad ? Math.floor(rnd() * 8) : 5 + Math.floor(rnd() * 6)
          });
          lines.push({
            ...header('feedback', t),
            data: {
              survey_id: 'store-visit',
              survey_version: 3,
              language: 'en',
              duration_ms: 9000,
              answers,
              suspect: false
            }
          });
        }
      }
    }
    lines.push({
      ...header('status', statusAt),
      data: {
        software_version: '0.1.0+test',
        config_version: 'store-visit@3',
        uptime_s: 3600,
        queue_depth: 0,
        oldest_pending_age_s: 0,
        last_hub_ack: iso(statusAt),
        camera_state: k.touchpoint === 'entrance' ? 'ok' : 'off',
        camera_fps: k.touchpoint === 'entrance' ? 10.0 : 0.0,
        db_bytes: 1843200,
        disk_budget_bytes: 536870912,
        feedback_lost: 0,
        events_lost: 0,
        events_pruned: 0,
        footfall_compacted: 0,
        problems: []
      }
    });
    seqStart.set(k.kiosk, seq);
  }
  return lines;
}

export function writeEvents(file, events) {
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
