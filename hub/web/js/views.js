// The app's views. Each: {id, path, title, endpoint(params), own: [its URL keys], controls(),
// render(container, data, state, ctx)}. Numbers are the API's, formatted; null shows as "–".
import {chart} from './charts.js';
import {config} from './config.js';
import {api, ApiError, colourRange, DASH, DIVERGING_COLOURS, fmt, h, metricColour, METRICS, SEQUENTIAL_COLOURS, stateQuery} from './core.js';

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({length: 24}, (_, i) => String(i).padStart(2, '0'));

function metricOf(figures, m) {
  return figures ? figures[m] ?? null : null;
}

function selectControl(label, name, options, value, onChange) {
  const s =
      h('select', {name, 'aria-label': label},
        options.map(([v, t]) => h('option', {value: v, selected: v === value}, t)));
  s.addEventListener('change', () => onChange(s.value));
  return h('label', {class: 'field inline'}, h('span', {}, label), s);
}

// The metrics a journey cell or a trend line can be drawn by.
const CELL_METRICS = [
  'csat_mean', 'csat_satisfied_pct', 'nps', 'effort_mean', 'response_rate', 'responses',
  'visitors_in'
];

function metricSelect(state, setState, keys, def) {
  return selectControl(
      'Metric', 'metric', keys.map((k) => [k, METRICS[k].label]), state.metric || def,
      (v) => setState({metric: v}));
}

const CONFIDENCE = {
  ok: {mark: '●', text: 'ok', title: 'Enough responses and full coverage'},
  low_n: {mark: '◐', text: 'low n', title: 'Fewer than 10 responses: read with care'},
  coverage_gap: {
    mark: '▲',
    text: 'coverage gap',
    title: 'Counting was missing for more than 5 % of the period'
  },
  no_data: {mark: '○', text: 'no data', title: 'Nothing recorded'},
};

function confidenceMark(c) {
  const d = CONFIDENCE[c] || {mark: '?', text: c || DASH, title: ''};
  return h(
      'span', {class: `conf conf-${c}`, title: d.title, 'data-k': 'confidence'},
      h('span', {'aria-hidden': 'true'}, d.mark), ` ${d.text}`);
}

// A change against the previous period: arrow + signed number; "better"/"worse" by the metric's
// direction, shown by the arrow's shape and a label, not by colour alone.
function delta(m, now, prev) {
  if (!isNum(now) || !isNum(prev)) return null;
  const def = METRICS[m] || {d: 1, better: 1};
  let diff = now - prev;
  if (m === 'response_rate') diff *= 100;
  const d = m === 'response_rate' ? 1 : def.d;
  const rounded = Number(diff.toFixed(d));
  if (rounded === 0)
    return h('span', {class: 'delta same', title: `previous ${fmtMetric(m, prev)}`}, '= same');
  const good = def.better === 0 ? null : (rounded > 0) === (def.better > 0);
  const cls = good === null ? 'neutral' : good ? 'better' : 'worse';
  return h(
      'span', {class: `delta ${cls}`, title: `previous period: ${fmtMetric(m, prev)}`},
      rounded > 0 ? '▲ ' : '▼ ', fmt.signed(diff, d), m === 'response_rate' ? ' pt' : '');
}

function fmtMetric(m, v) {
  return METRICS[m] ? METRICS[m].f(v) : fmt.num(v);
}

function csatBar(dist) {
  const total = (dist || []).reduce((a, b) => a + (b || 0), 0);
  if (!total) return h('div', {class: 'dist empty', title: 'no CSAT answers'});
  const cols = [
    DIVERGING_COLOURS[0], DIVERGING_COLOURS[1], '#bdbdbd', DIVERGING_COLOURS[5],
    DIVERGING_COLOURS[6]
  ];
  return h(
      'div', {
        class: 'dist',
        role: 'img',
        'aria-label': `CSAT answers 1 to 5: ${dist.join(', ')}`,
        title: `CSAT 1–5: ${dist.join(' / ')}`
      },
      dist.map(
          (n, i) =>
              (n ? h('span', {style: {width: `${(100 * n) / total}%`, background: cols[i]}}) :
                   null)));
}

// Seconds of dwell: "95 s" below 10 min (dwell is mostly seconds to minutes), else "12 min".
const dwellS = (x) => (isNum(x) && x < 600 ? `${fmt.int(x)} s` : fmt.duration(x));

// Dwell of a figures object, compact for a journey cell: "53 / 120 s" (mean / p90; title: per
// zone), or "–" without v2 footfall.
function dwellText(f) {
  if (!f || !f.dwell_n) return DASH;
  const zones = Object.entries(f.dwell_by_zone || {})
                    .map(([z, d]) => `${z}: mean ${dwellS(d.mean_s)}, p90 ${dwellS(d.p90_s)} (${
                                         fmt.int(d.n)} visits)`)
                    .join('\n');
  const both = isNum(f.dwell_mean_s) && isNum(f.dwell_p90_s) && f.dwell_p90_s < 600;
  return h(
      'span', {title: `Dwell mean / p90 over ${fmt.int(f.dwell_n)} visits\n${zones}`},
      both ? `${fmt.int(f.dwell_mean_s)} / ${fmt.int(f.dwell_p90_s)} s` :
             `${dwellS(f.dwell_mean_s)} / ${dwellS(f.dwell_p90_s)}`);
}

const CROWD_BANDS = ['0', '1-2', '3-5', '6-10', '11+'];

// The store page's dwell per zone and CSAT by the crowd when the session started.
function dwellAndCrowd(f) {
  const zones = Object.entries(f.dwell_by_zone || {});
  const dwellBox = zones.length ?
      table(
          [
            {label: 'Zone', key: 'zone', value: ([z]) => h('strong', {}, z)},
            {label: 'Visits measured', key: 'n', num: true, value: ([, d]) => fmt.int(d.n)},
            {label: 'Mean', key: 'mean_s', num: true, value: ([, d]) => dwellS(d.mean_s)},
            {label: 'p90', key: 'p90_s', num: true, value: ([, d]) => dwellS(d.p90_s)},
          ],
          zones, {id: 'store-dwell', rowAttrs: ([z]) => ({'data-zone': z})}) :
      empty('No dwell: no footfall with zones (schema v2) in this period.');
  const crowd = f.csat_by_crowd || {};
  const bands = CROWD_BANDS.map((b) => [b, crowd[b] || {}]);
  const crowdEl = h('div', {
    class: 'chart small',
    id: 'store-crowd',
    role: 'img',
    'aria-label': 'Share of satisfied ratings (CSAT 4–5) by people in view when the session started'
  });
  const crowdBox = f.with_context ?
      [
        crowdEl,
        table(
            [
              {label: 'People in view', key: 'band', value: ([b]) => b},
              {label: 'Answers', key: 'csat_n', num: true, value: ([, d]) => fmt.int(d.csat_n)},
              {label: 'CSAT', key: 'csat_mean', num: true, value: ([, d]) => fmt.num(d.csat_mean, 2)},
              {
                label: 'Satisfied',
                key: 'csat_satisfied_pct',
                num: true,
                value: ([, d]) => fmt.pct(d.csat_satisfied_pct)
              },
            ],
            bands, {id: 'store-crowd-table', rowAttrs: ([b]) => ({'data-band': b})}),
      ] :
      empty('No ratings carry the crowd at their start (kiosks with a camera and schema v2 send it).');
  const box = h(
      'div', {class: 'two'},
      h('section', {class: 'panel'}, h('h2', {}, 'Dwell per zone'), dwellBox),
      h('section', {class: 'panel'}, h('h2', {}, 'Satisfaction by crowding'),
        h('p', {class: 'note'},
          `${fmt.int(f.with_context)} rated sessions carry the number of people in view when ` +
              'they started.'),
        crowdBox));
  return {
    box,
    draw: () => {
      if (!f.with_context) return;
      chart(crowdEl, {
        grid: {left: 45, right: 15, top: 25, bottom: 40},
        tooltip: {trigger: 'axis'},
        xAxis: {type: 'category', name: 'people in view', nameLocation: 'middle', nameGap: 26,
                data: CROWD_BANDS},
        yAxis: {type: 'value', name: '% satisfied', min: 0, max: 100},
        series: [{
          name: 'Satisfied (CSAT 4–5)',
          type: 'bar',
          data: bands.map(([, d]) => d.csat_satisfied_pct ?? null),
          itemStyle: {color: '#5e3c99'},
          label: {
            show: true,
            position: 'top',
            formatter: (p) => `n=${fmt.int(bands[p.dataIndex][1].csat_n)}`
          }
        }],
      });
    }
  };
}

function figureTable(rows) {
  return h(
      'dl', {class: 'figs'},
      rows.map(([k, label, value,
                 extra]) => [h('dt', {}, label), h('dd', {'data-k': k}, value, extra || null)]));
}

// Summary cards of one figures object (with its previous period).
function cards(f, prev) {
  const item = (m, label, value) =>
      h('div', {class: 'card'}, h('div', {class: 'card-label'}, label),
        h('div', {class: 'card-value', 'data-k': m}, value), prev ? delta(m, f[m], prev[m]) : null);
  return h(
      'div', {class: 'cards'}, item('visitors_in', 'Visitors', fmt.int(f.visitors_in)),
      item('responses', 'Responses', fmt.int(f.responses)),
      item('response_rate', 'Response rate', fmt.rate(f.response_rate)),
      item('csat_mean', 'CSAT', fmt.num(f.csat_mean, 2)),
      item('csat_satisfied_pct', 'Satisfied', fmt.pct(f.csat_satisfied_pct)),
      item('nps', 'NPS', fmt.num(f.nps, 0)),
      item('effort_mean', 'Effort', fmt.num(f.effort_mean, 1)),
      h('div', {class: 'card'}, h('div', {class: 'card-label'}, 'Confidence'),
        h('div', {class: 'card-value small'}, confidenceMark(f.confidence))));
}

function table(columns, rows, {rowAttrs = () => ({}), caption = null, id = null} = {}) {
  return h(
      'div', {class: 'table-wrap'},
      h('table', {class: 'data', id}, caption ? h('caption', {}, caption) : null,
        h('thead', {},
          h('tr', {},
            columns.map(
                (c) => h(
                    'th', {scope: 'col', class: c.num ? 'num' : null, title: c.title}, c.label)))),
        h('tbody', {}, rows.map((r, i) => h('tr', rowAttrs(r, i), columns.map((c) => {
                                  const v = c.value(r, i);
                                  return h(
                                      'td', {
                                        class: c.num ? 'num' :
                                            c.wrap   ? 'wrap' :
                                                       null,
                                        'data-k': c.key || null
                                      },
                                      v === null || v === undefined ? DASH : v);
                                }))))));
}

function empty(text) {
  return h('p', {class: 'note empty-state'}, text);
}

// ---------- journey map ----------

const journey = {
  id: 'journey',
  path: '/journey',
  title: 'Journey map',
  own: ['metric', 'curve_by'],
  endpoint: () => '/api/v1/journey',
  controls: (state, setState) =>
      [metricSelect(state, setState, CELL_METRICS, 'csat_mean'),
       selectControl(
           'Curve per', 'curve_by',
           [['chain', 'whole chain'], ['region', 'region'], ['store', 'store']],
           state.curve_by || 'chain', (v) => setState({curve_by: v})),
],
  render(el, data, state) {
    const m = state.metric || 'csat_mean';
    const stages = data.stages || [];
    const tps = data.touchpoints || [];
    if (!data.cells || !data.cells.length) {
      el.append(empty('No events in this period and scope. Widen the dates or the store filter.'));
    }
    const byKey = new Map((data.cells || []).map((c) => [`${c.touchpoint}\u0000${c.stage}`, c]));
    const values = (data.cells || []).map((c) => metricOf(c.figures, m)).filter(isNum);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const legend =
        h('div', {class: 'legend'},
          h('span', {},
            `Cells coloured by ${METRICS[m].label}, from the lowest to the highest in this view`),
          METRICS[m].better === 0 ?
              h('span', {class: 'scale seq'}, h('span', {}, 'low'), h('span', {
                  class: 'ramp',
                  style: {background: `linear-gradient(90deg, ${SEQUENTIAL_COLOURS.join(',')})`}
                }),
                h('span', {}, 'high')) :
              h('span', {class: 'scale'}, h('span', {}, 'worse'), h('span', {
                  class: 'ramp',
                  style: {background: `linear-gradient(90deg, ${DIVERGING_COLOURS.join(',')})`}
                }),
                h('span', {}, 'better')),
          h('span', {class: 'conf-legend'}, Object.keys(CONFIDENCE).map((k) => confidenceMark(k))));
    const head =
        h('tr', {}, h('th', {scope: 'col', class: 'corner'}, 'Touchpoint \\ stage'),
          stages.map(
              (s, i) =>
                  h('th', {scope: 'col', class: 'stage'}, h('span', {class: 'step'}, String(i + 1)),
                    s)));
    const rows = tps.map(
        (tp) => h('tr', {}, h('th', {scope: 'row', class: 'tp'}, tp), stages.map((st) => {
          const c = byKey.get(`${tp}\u0000${st}`);
          if (!c)
            return h(
                'td', {class: 'cell none', 'data-touchpoint': tp, 'data-stage': st},
                h('span', {class: 'muted'}, DASH));
          const f = c.figures || {};
          const p = c.previous || null;
          const col = metricColour(m, metricOf(f, m), lo, hi);
          const pains = (c.pain_points || []).slice(0, 3);
          return h(
              'td', {
                class: `cell${col.dark ? ' dark' : ''}`,
                style: {background: col.bg},
                'data-touchpoint': tp,
                'data-stage': st
              },
              h('div', {class: 'cell-head'},
                h('span', {class: 'cell-metric', 'data-k': m}, fmtMetric(m, metricOf(f, m))),
                p ? delta(m, metricOf(f, m), metricOf(p, m)) : null),
              figureTable([
                ['visitors_in', 'Visitors', fmt.int(f.visitors_in)],
                ['responses', 'Responses', fmt.int(f.responses)],
                ['response_rate', 'Rate', fmt.rate(f.response_rate)],
                ['csat_mean', 'CSAT', fmt.num(f.csat_mean, 2)],
                ['nps', 'NPS', fmt.num(f.nps, 0)],
                ['effort_mean', 'Effort', fmt.num(f.effort_mean, 1)],
                ...(f.dwell_n ? [['dwell_mean_s', 'Dwell · p90', dwellText(f), null]] : []),
              ]),
              csatBar(f.csat_dist),
              pains.length ?
                  h('ul', {class: 'pains', 'aria-label': 'Top pain points'},
                    pains.map(
                        (pp) =>
                            h('li',
                              {title: `${pp.unhappy} unhappy of ${pp.sessions} sessions naming it`},
                              pp.reason,
                              h('span', {class: 'muted'},
                                ` ${fmt.int(pp.unhappy)}/${fmt.int(pp.sessions)}`)))) :
                  null,
              h('div', {class: 'cell-foot'},
                h('span', {'data-k': 'csat_n'}, `n = ${fmt.int(f.csat_n)}`),
                confidenceMark(f.confidence)));
        })));
    el.append(
        legend,
        h('div', {class: 'journey-wrap'},
          h('table', {class: 'journey', id: 'journey-grid'}, h('thead', {}, head),
            h('tbody', {}, rows))));

    // The emotion curve: one line per series across the stages, the previous period dashed.
    const curve = data.curve || [];
    const chartEl = h('div', {
      class: 'chart',
      id: 'emotion-curve',
      role: 'img',
      'aria-label': `Emotion curve: ${METRICS[m].label} per stage`
    });
    el.append(h(
        'section', {class: 'panel'}, h('h2', {}, `Emotion curve · ${METRICS[m].label}`), chartEl));
    const series = [];
    curve.forEach((s, i) => {
      const pts = new Map((s.points || []).map((p) => [p.stage, p]));
      series.push({
        name: s.name,
        type: 'line',
        smooth: 0.3,
        symbolSize: 8,
        connectNulls: true,
        colorIndex: i,
        data: stages.map((st) => {
          const p = pts.get(st);
          return p ? metricOf(p.figures, m) : null;
        })
      });
      const hasPrevious =
          (s.points || []).some((p) => p.previous && metricOf(p.previous, m) !== null);
      if (hasPrevious) {
        series.push({
          name: `${s.name} (previous)`,
          type: 'line',
          smooth: 0.3,
          symbol: 'emptyCircle',
          connectNulls: true,
          lineStyle: {type: 'dashed', width: 1.5},
          colorIndex: i,
          data: stages.map((st) => {
            const p = pts.get(st);
            return p && p.previous ? metricOf(p.previous, m) : null;
          })
        });
      }
    });
    const pal = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
    for (const s of series) {
      s.itemStyle = {color: pal[s.colorIndex % pal.length]};
      s.lineStyle = {...(s.lineStyle || {}), color: pal[s.colorIndex % pal.length]};
      delete s.colorIndex;
    }
    chart(chartEl, {
      grid: {left: 50, right: 20, top: 40, bottom: 30},
      legend: {top: 0, type: 'scroll'},
      tooltip: {trigger: 'axis', valueFormatter: (v) => fmtMetric(m, v)},
      xAxis: {type: 'category', data: stages, boundaryGap: false},
      yAxis: {
        type: 'value',
        min: METRICS[m].max !== null ? METRICS[m].min : null,
        max: METRICS[m].max,
        inverse: METRICS[m].better < 0,
        name: METRICS[m].better < 0 ? 'easier ↑' : null
      },
      series,
    });
  },
};

// ---------- trends ----------

const trends = {
  id: 'trends',
  path: '/trends',
  title: 'Trends',
  own: ['metric', 'bucket', 'by'],
  endpoint: () => '/api/v1/trends',
  controls: (state, setState) =>
      [metricSelect(state, setState, CELL_METRICS, 'csat_mean'),
       selectControl(
           'Per', 'bucket', [['day', 'day'], ['week', 'week']], state.bucket || 'day',
           (v) => setState({bucket: v})),
       selectControl(
           'Lines', 'by',
           [['none', 'all together'], ['stage', 'per stage'], ['touchpoint', 'per touchpoint']],
           state.by || 'none', (v) => setState({by: v})),
],
  render(el, data, state) {
    const m = state.metric || 'csat_mean';
    const series = data.series || [];
    const prevSeries = data.previous_series || [];
    const dates = [...new Set(series.flatMap((s) => (s.points || []).map((p) => p.date)))].sort();
    const weekOf = new Map(
        series.flatMap((s) => (s.points || []).filter((p) => p.week).map((p) => [p.date, p.week])));
    const prevDates =
        [...new Set(prevSeries.flatMap((s) => (s.points || []).map((p) => p.date)))].sort();
    if (!dates.length) el.append(empty('No data in this period and scope.'));
    const pal = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
    const out = [];
    series.forEach((s, i) => {
      const pts = new Map((s.points || []).map((p) => [p.date, p.figures]));
      const colour = pal[i % pal.length];
      out.push({
        name: s.key === 'all' ? 'all' : s.key,
        type: 'line',
        connectNulls: false,
        showSymbol: dates.length < 40,
        itemStyle: {color: colour},
        lineStyle: {color: colour, width: 2},
        data: dates.map((d) => metricOf(pts.get(d), m))
      });
      const prev = prevSeries.find((p) => p.key === s.key);
      if (prev && (prev.points || []).some((p) => metricOf(p.figures, m) !== null)) {
        const pp = new Map((prev.points || []).map((p) => [p.date, p.figures]));
        out.push({
          name: `${s.key} (previous)`,
          type: 'line',
          showSymbol: false,
          itemStyle: {color: colour},
          lineStyle: {color: colour, type: 'dashed', width: 1.5, opacity: 0.8},
          data:
              dates.map((_, j) => (j < prevDates.length ? metricOf(pp.get(prevDates[j]), m) : null))
        });
      }
    });
    const chartEl = h('div', {
      class: 'chart tall',
      id: 'trend-chart',
      role: 'img',
      'aria-label': `${METRICS[m].label} per ${data.bucket || 'day'}`
    });
    el.append(
        h('section', {class: 'panel'},
          h('h2', {}, `${METRICS[m].label} per ${data.bucket || 'day'}`,
            prevSeries.length ?
                h('span', {class: 'muted'}, ' · previous period dashed, aligned by position') :
                null),
          chartEl));
    chart(chartEl, {
      grid: {left: 55, right: 20, top: 50, bottom: 60},
      legend: {top: 0, type: 'scroll'},
      tooltip: {trigger: 'axis', valueFormatter: (v) => fmtMetric(m, v)},
      dataZoom: dates.length > 45 ? [{type: 'slider', bottom: 5}] : [],
      // Weekly points carry their ISO week ("2026-W47"; the date is its Monday).
      xAxis: {type: 'category', data: dates.map((d) => weekOf.get(d) || d)},
      yAxis: {
        type: 'value',
        min: METRICS[m].max !== null ? METRICS[m].min : null,
        max: METRICS[m].max,
        inverse: METRICS[m].better < 0
      },
      series: out,
    });
    // The totals per line over the period, as a table (what the chart sums up).
    el.append(
        h('section', {class: 'panel'}, h('h2', {}, 'Per line'),
          table(
              [
                {label: 'Line', value: (s) => s.key},
                {label: 'Buckets', num: true, value: (s) => fmt.int((s.points || []).length)},
                {
                  label: 'Responses',
                  key: 'responses',
                  num: true,
                  value: (s) =>
                      fmt.int((s.points || []).reduce((a, p) => a + (p.figures.responses || 0), 0))
                },
                {
                  label: 'Visitors',
                  key: 'visitors_in',
                  num: true,
                  value: (s) => fmt.int((s.points ||
                                         []).reduce((a, p) => a + (p.figures.visitors_in || 0), 0))
                },
              ],
              series)));
  },
};

// ---------- heatmaps ----------

function heatmapChart(el, cells, m, title) {
  const values = cells.map((c) => metricOf(c.figures, m)).filter(isNum);
  const def = METRICS[m];
  // Volumes from 0 to the busiest hour; scores over the range seen (a 1..5 scale paints every
  // hour alike, see metricColour).
  let lo = def.better === 0 ? 0 : values.length ? Math.min(...values) : def.min;
  let hi = values.length ? Math.max(...values) : def.max ?? 1;
  if (def.better !== 0) [lo, hi] = colourRange(m, lo, hi);
  if (hi <= lo) hi = lo + 1;
  chart(el, {
    title: {text: title, left: 0, textStyle: {fontSize: 15, fontWeight: 600, color: '#1d2430'}},
    tooltip: {
      formatter: (p) => `${WEEKDAYS[p.value[1]]} ${HOURS[p.value[0]]}:00 – ${def.short} ${
          def.f(p.value[2])} (n = ${fmt.int(p.value[3])})`
    },
    grid: {left: 45, right: 15, top: 40, bottom: 70},
    xAxis: {
      type: 'category',
      data: HOURS,
      name: 'local hour',
      nameLocation: 'middle',
      nameGap: 25,
      splitLine: {show: true, lineStyle: {color: '#eef0f3'}}
    },
    yAxis: {
      type: 'category',
      data: WEEKDAYS,
      inverse: true,
      splitLine: {show: true, lineStyle: {color: '#eef0f3'}}
    },
    visualMap: {
      dimension: 2,  // the value; [3] is n, shown in the tooltip
      min: lo,
      max: hi,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      itemWidth: 12,
      inRange: {color: def.better === 0 ? SEQUENTIAL_COLOURS.slice(1) : DIVERGING_COLOURS},
      formatter: (v) => def.f(v)
    },
    series: [{
      type: 'heatmap',
      name: def.short,
      data: cells.filter((c) => isNum(metricOf(c.figures, m)))
                .map((c) => [c.hour, c.weekday - 1, metricOf(c.figures, m), c.figures.responses]),
      label: {show: false},
      emphasis: {itemStyle: {borderColor: '#000', borderWidth: 1}}
    }],
  });
}

const heatmaps = {
  id: 'heatmaps',
  path: '/heatmaps',
  title: 'Heatmaps',
  own: [],
  endpoint: () => '/api/v1/heatmap',
  render(el, data) {
    const cells = data.cells || [];
    if (!cells.length) el.append(empty('No data in this period and scope.'));
    el.append(h(
        'p', {class: 'note'},
        'Weekday × store-local hour, summed over the period; blank squares had no data. Scores are coloured from the lowest to the highest hour shown. Hover a square for its value and n.'));
    const grid = h('div', {class: 'heat-grid'});
    el.append(grid);
    for (const [m, title] of [
             ['visitors_in', 'Visitors'], ['responses', 'Responses'],
             ['csat_mean', 'CSAT (mean)']]) {
      const c = h('div', {
        class: 'chart heat',
        id: `heat-${m}`,
        role: 'img',
        'aria-label': `${title} by weekday and hour`
      });
      grid.append(h('section', {class: 'panel'}, c));
      heatmapChart(c, cells, m, title);
    }
  },
};

// ---------- stores ----------

function rankChange(r) {
  if (!isNum(r.previous_rank))
    return h('span', {class: 'muted'}, r.previous_rank === null ? 'new' : DASH);
  const d = r.previous_rank - r.rank;
  if (d === 0) return h('span', {class: 'delta same'}, '=');
  return h(
      'span',
      {class: `delta ${d > 0 ? 'better' : 'worse'}`, title: `previous rank ${r.previous_rank}`},
      d > 0 ? `▲ ${d}` : `▼ ${- d}`);
}

const stores = {
  id: 'stores',
  path: '/stores',
  title: 'Stores',
  own: [],
  endpoint: () => '/api/v1/stores',
  render(el, data, state, ctx) {
    if (data.method)
      el.append(h('p', {class: 'note method'}, h('strong', {}, 'Score: '), data.method));
    const list = data.stores || [];
    if (!list.length) return el.append(empty('No stores in this scope.'));
    const compare = list.some((r) => 'previous_rank' in r || 'previous_score' in r);
    const q = stateQuery(pickShared(state));
    el.append(
        table(
            [
              {label: 'Rank', key: 'rank', num: true, value: (r) => fmt.int(r.rank)},
              compare ? {label: 'Δ rank', value: rankChange} : null,
              {
                label: 'Store',
                key: 'store',
                value: (r) =>
                    h('a', {href: `/stores/${encodeURIComponent(r.store)}${q}`, 'data-nav': true},
                      r.store)
              },
              {label: 'Region', value: (r) => r.region},
              {
                label: 'Score',
                key: 'score',
                num: true,
                title: 'volume-adjusted CSAT',
                value: (r) => fmt.num(r.score, 2)
              },
              compare ? {
                label: 'Δ score',
                value: (r) => delta('csat_mean', r.score, r.previous_score) || DASH
              } :
                        null,
              {
                label: 'CSAT (raw)',
                key: 'raw_csat_mean',
                num: true,
                value: (r) => fmt.num(r.raw_csat_mean, 2)
              },
              {
                label: 'Responses',
                key: 'responses',
                num: true,
                value: (r) => fmt.int(r.figures.responses)
              },
              {
                label: 'Visitors',
                key: 'visitors_in',
                num: true,
                value: (r) => fmt.int(r.figures.visitors_in)
              },
              {
                label: 'Rate',
                key: 'response_rate',
                num: true,
                value: (r) => fmt.rate(r.figures.response_rate)
              },
              {label: 'NPS', key: 'nps', num: true, value: (r) => fmt.num(r.figures.nps, 0)},
              {
                label: 'Effort',
                key: 'effort_mean',
                num: true,
                value: (r) => fmt.num(r.figures.effort_mean, 1)
              },
              {label: 'Confidence', value: (r) => confidenceMark(r.figures.confidence)},
            ].filter(Boolean),
            list, {
              id: 'stores-table',
              rowAttrs: (r) => ({
                class: 'clickable',
                'data-store': r.store,
                tabindex: 0,
                onclick: (ev) => {
                  if (!ev.target.closest('a'))
                    ctx.navigate(`/stores/${encodeURIComponent(r.store)}${q}`);
                },
                onkeydown: (ev) => {
                  if (ev.key === 'Enter')
                    ctx.navigate(`/stores/${encodeURIComponent(r.store)}${q}`);
                }
              }),
            }));
  },
};

function pickShared(state) {
  const out = {};
  for (const k of ['from', 'to', 'touchpoint', 'stage', 'suspect', 'compare']) out[k] = state[k];
  return out;
}

// Sequence gaps, rejects, conflicts and bad times in one cell: only those that are not zero.
function dataIssues(k) {
  const parts = [
    ['seq_gaps', 'seq gaps'], ['rejects', 'rejects'], ['conflicts', 'conflicts'],
    ['time_out_of_range', 'bad times']
  ];
  if (parts.every(([key]) => !isNum(k[key]))) return DASH;
  const shown = parts.filter(([key]) => isNum(k[key]) && k[key] > 0);
  if (!shown.length) return h('span', {class: 'muted'}, 'none');
  return h(
      'span', {class: 'issues'},
      shown.map(([key, label]) => `${fmt.int(k[key])} ${label}`).join(' · '));
}

function fleetTable(kiosks, nowMs, id) {
  const bad = (k) => k.stale || k.state !== 'online' || (k.problems || []).length > 0;
  const sorted =
      [...kiosks].sort((a, b) => Number(bad(b)) - Number(bad(a)) || a.kiosk.localeCompare(b.kiosk));
  const stateCell = (k) =>
      h('span', {class: `state state-${k.state}`},
        h('span', {'aria-hidden': 'true'},
          k.state === 'online'      ? '● ' :
              k.state === 'offline' ? '✕ ' :
                                      '? '),
        k.state, k.stale ? h('span', {class: 'tag warn'}, 'stale') : null);
  return table(
      [
        {label: 'Kiosk', key: 'kiosk', value: (k) => h('strong', {}, k.kiosk)},
        {label: 'Store', value: (k) => k.store},
        {label: 'State', key: 'state', value: stateCell},
        {
          label: 'Problems',
          wrap: true,
          value: (k) =>
              ((k.problems || []).length ?
                   h('ul', {class: 'problems'}, k.problems.map((p) => h('li', {}, '⚠ ', p))) :
                   h('span', {class: 'muted'}, 'none'))
        },
        {
          label: 'Last status',
          value: (k) =>
              h('span', {title: fmt.time(k.last_status_ms)}, fmt.ago(k.last_status_ms, nowMs))
        },
        {
          label: 'Last event',
          value: (k) =>
              h('span', {title: fmt.time(k.last_event_ms)}, fmt.ago(k.last_event_ms, nowMs))
        },
        {label: 'Queue', key: 'queue_depth', num: true, value: (k) => fmt.int(k.queue_depth)},
        {
          label: 'Oldest pending',
          value: (k) => (isNum(k.oldest_pending_ms) ? fmt.ago(k.oldest_pending_ms, nowMs) : DASH)
        },
        {label: 'Last ack', value: (k) => fmt.ago(k.last_ack_ms, nowMs)},
        {
          label: 'Camera',
          value: (k) => h('span', {class: `cam cam-${k.camera}`}, k.camera || DASH)
        },
        {label: 'Coverage gap', num: true, value: (k) => fmt.duration(k.coverage_gap_s)},
        {
          label: 'Data issues',
          title: 'sequence gaps, rejected messages, conflicts, events with a time out of range',
          value: dataIssues
        },
        {label: 'Software', value: (k) => h('code', {}, k.software_version ?? DASH)},
        {label: 'Config', value: (k) => h('code', {}, k.config_version ?? DASH)},
      ],
      sorted, {id, rowAttrs: (k) => ({class: bad(k) ? 'bad' : null, 'data-kiosk': k.kiosk})});
}

export const storeView = {
  id: 'store',
  path: '/stores/',
  title: 'Store',
  own: [],
  heading: (p) => `Store ${p.store}`,
  endpoint: (p) => `/api/v1/stores/${encodeURIComponent(p.store)}`,
  render(el, data, state) {
    el.append(h(
        'p', {},
        h('a', {href: `/stores${stateQuery(pickShared(state))}`, 'data-nav': true}, '← All stores'),
        ` · region ${data.region ?? DASH}`));
    el.append(cards(data.figures || {}, data.previous || null));
    const tps = data.touchpoints || [];
    el.append(
        h(
            'section', {class: 'panel'}, h('h2', {}, 'Touchpoints'),
            tps.length ?
                table(
                    [
                      {label: 'Touchpoint', value: (r) => r.touchpoint},
                      {label: 'Stage', value: (r) => r.stage},
                      {
                        label: 'Visitors',
                        key: 'visitors_in',
                        num: true,
                        value: (r) => fmt.int(r.figures.visitors_in)
                      },
                      {
                        label: 'Responses',
                        key: 'responses',
                        num: true,
                        value: (r) => fmt.int(r.figures.responses)
                      },
                      {label: 'Rate', num: true, value: (r) => fmt.rate(r.figures.response_rate)},
                      {
                        label: 'CSAT',
                        key: 'csat_mean',
                        num: true,
                        value: (r) => fmt.num(r.figures.csat_mean, 2)
                      },
                      {label: 'Distribution', value: (r) => csatBar(r.figures.csat_dist)},
                      {label: 'NPS', num: true, value: (r) => fmt.num(r.figures.nps, 0)},
                      {label: 'Effort', num: true, value: (r) => fmt.num(r.figures.effort_mean, 1)},
                      {label: 'Dwell · p90', key: 'dwell', value: (r) => dwellText(r.figures)},
                      {label: 'Confidence', value: (r) => confidenceMark(r.figures.confidence)},
                    ],
                    tps, {id: 'store-touchpoints'}) :
                empty('No touchpoints with data.')));
    const dc = dwellAndCrowd(data.figures || {});
    el.append(dc.box);
    dc.draw();
    const days = data.days || [];
    const dayEl = h('div', {
      class: 'chart',
      id: 'store-days',
      role: 'img',
      'aria-label': 'Responses and CSAT per day'
    });
    const hourEl = h('div', {
      class: 'chart heat',
      id: 'store-hours',
      role: 'img',
      'aria-label': 'Responses by weekday and hour'
    });
    el.append(
        h('div', {class: 'two'}, h('section', {class: 'panel'}, h('h2', {}, 'Days'), dayEl),
          h('section', {class: 'panel'}, h('h2', {}, 'Hours'), hourEl)));
    chart(dayEl, {
      grid: {left: 45, right: 45, top: 35, bottom: 30},
      legend: {top: 0},
      tooltip: {trigger: 'axis'},
      xAxis: {type: 'category', data: days.map((d) => d.date)},
      yAxis: [{type: 'value', name: 'responses'}, {type: 'value', name: 'CSAT', min: 1, max: 5}],
      series: [
        {
          name: 'Responses',
          type: 'bar',
          data: days.map((d) => d.figures.responses),
          itemStyle: {color: '#56B4E9'}
        },
        {
          name: 'CSAT',
          type: 'line',
          yAxisIndex: 1,
          data: days.map((d) => d.figures.csat_mean),
          itemStyle: {color: '#D55E00'},
          connectNulls: true
        },
      ],
    });
    heatmapChart(hourEl, data.hours || [], 'responses', 'Responses by weekday × local hour');
    el.append(
        h('section', {class: 'panel'}, h('h2', {}, 'Kiosks'),
          (data.kiosks || []).length ? fleetTable(data.kiosks, Date.now(), 'store-kiosks') :
                                       empty('No kiosks registered for this store.')));
  },
};

// ---------- pain points ----------

const painpoints = {
  id: 'painpoints',
  path: '/painpoints',
  title: 'Pain points',
  own: [],
  endpoint: () => '/api/v1/painpoints',
  render(el, data) {
    const reasons = data.reasons || [];
    el.append(h(
        'p', {class: 'note'},
        'Reasons shoppers tagged, ranked by how many unhappy sessions (CSAT 1–2 or NPS detractor) named them. ' +
            'The bar is the share of the sessions naming the reason that were unhappy.'));
    if (!reasons.length) return el.append(empty('No reasons tagged in this period and scope.'));
    const compare = reasons.some((r) => r.previous);
    const sparks = [];
    el.append(table([
      {label: '#', num: true, value: (_, i) => String(i + 1)},
      {label: 'Reason', key: 'reason', value: (r) => h('strong', {}, r.reason)},
      {label: 'Unhappy', key: 'unhappy', num: true, value: (r) => fmt.int(r.unhappy)},
      {label: 'Sessions', key: 'sessions', num: true, value: (r) => fmt.int(r.sessions)},
      {label: 'Unhappy share', key: 'unhappy_share', value: (r) => h('div', {class: 'sharebar', title: fmt.rate(r.unhappy_share)},
          h('span', {class: 'fill', style: {width: `${Math.round(100 * (r.unhappy_share || 0))}%`}}),
          h('span', {class: 'val'}, fmt.rate(r.unhappy_share, 0)))},
      compare ? {label: 'vs previous', value: (r) => (r.previous ? delta('responses', r.unhappy, r.previous.unhappy) || '=' : DASH)} : null,
      {label: 'Where', wrap: true, value: (r) => h('ul', {class: 'chips'}, (r.by || []).slice(0, 4).map((b) =>
        h('li', {title: `${b.unhappy} unhappy of ${b.sessions}`}, `${b.stage} · ${b.touchpoint} `, h('strong', {}, fmt.int(b.unhappy)))))},
      {label: 'Weekly (unhappy)', value: (r) => {
        const s = h('div', {class: 'spark', role: 'img', 'aria-label': `weekly unhappy: ${(r.weeks || []).map((w) => w.unhappy).join(', ')}`});
        sparks.push([s, r.weeks || []]);
        return s;
      }},
    ].filter(Boolean), reasons, {id: 'pain-table'}));
    for (const [s, weeks] of sparks) {
      chart(s, {
        grid: {left: 2, right: 2, top: 4, bottom: 4},
        tooltip: {trigger: 'axis', confine: true},
        xAxis: {type: 'category', show: false, data: weeks.map((w) => w.week)},
        yAxis: {type: 'value', show: false, min: 0},
        series: [
          {
            type: 'line',
            data: weeks.map((w) => w.unhappy),
            name: 'unhappy',
            showSymbol: false,
            areaStyle: {opacity: 0.15},
            lineStyle: {width: 1.5},
            itemStyle: {color: '#D55E00'}
          },
          {
            type: 'line',
            data: weeks.map((w) => w.sessions),
            name: 'sessions',
            showSymbol: false,
            lineStyle: {width: 1, type: 'dotted'},
            itemStyle: {color: '#0072B2'}
          }
        ],
      });
    }
  },
};

// ---------- fleet ----------

const fleet = {
  id: 'fleet',
  path: '/fleet',
  title: 'Fleet',
  own: [],
  endpoint: () => '/api/v1/fleet',
  render(el, data) {
    const ks = data.kiosks || [];
    const n = (p) => ks.filter(p).length;
    el.append(
        h('div', {class: 'cards'},
          h('div', {class: 'card'}, h('div', {class: 'card-label'}, 'Kiosks'),
            h('div', {class: 'card-value'}, fmt.int(ks.length))),
          h('div', {class: 'card'}, h('div', {class: 'card-label'}, 'Online'),
            h('div', {class: 'card-value'}, fmt.int(n((k) => k.state === 'online')))),
          h('div', {class: 'card warn'}, h('div', {class: 'card-label'}, 'Offline'),
            h('div', {class: 'card-value'}, fmt.int(n((k) => k.state === 'offline')))),
          h('div', {class: 'card warn'}, h('div', {class: 'card-label'}, 'Stale'),
            h('div', {class: 'card-value'}, fmt.int(n((k) => k.stale)))),
          h('div', {class: 'card warn'}, h('div', {class: 'card-label'}, 'With problems'),
            h('div', {class: 'card-value'}, fmt.int(n((k) => (k.problems || []).length))))));
    if (!ks.length) return el.append(empty('No kiosks registered in this scope.'));
    el.append(fleetTable(ks, data.now_ms, 'fleet-table'));
  },
};

// ---------- alerts ----------

const alerts = {
  id: 'alerts',
  path: '/alerts',
  title: 'Alerts',
  filters: false,
  csv: false,
  endpoint: () => '/api/v1/alerts',
  onError(e) {
    if (e instanceof ApiError && e.status === 404) {
      return h(
          'p', {class: 'note', id: 'alerts-unavailable'},
          'Alerts are not available on this hub yet (the hub answered 404 for /api/v1/alerts). ' +
              'The other views work without them.');
    }
    return h('p', {class: 'error', role: 'alert'}, e.message);
  },
  render(el, data, state, ctx) {
    const order = {open: 0, acked: 1, closed: 2};
    const list = (data.alerts || [])
                     .slice()
                     .sort(
                         (a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) ||
                             b.opened_ms - a.opened_ms);
    const msg = h('p', {class: 'error', role: 'alert', hidden: true});
    const show = (e) => {
      msg.textContent = e.message;
      msg.hidden = false;
    };
    el.append(msg);
    if (!list.length) {
      el.append(empty('No alerts. Rules open an alert here when a threshold is crossed.'));
    } else {
      el.append(table(
          [
            {
              label: 'State',
              key: 'state',
              value: (a) => h(
                  'span', {class: `tag alert-${a.state}`}, a.state === 'open' ? '⚠ open' : a.state)
            },
            {label: 'Opened', value: (a) => fmt.time(a.opened_ms)},
            {label: 'Where', value: (a) => a.store || (a.region ? `region ${a.region}` : a.scope)},
            {label: 'Message', wrap: true, value: (a) => a.message},
            {
              label: 'Value',
              num: true,
              value: (a) => (isNum(a.value) ? fmt.num(a.value, 2) : DASH)
            },
            {
              label: 'Acknowledged',
              value: (a) => {
                if (a.acked_by) return `${a.acked_by}, ${fmt.time(a.acked_ms)}`;
                if (a.state !== 'open')
                  return a.closed_ms ? `closed ${fmt.time(a.closed_ms)}` : DASH;
                return h(
                    'button', {
                      type: 'button',
                      class: 'primary small',
                      'data-ack': a.id,
                      onclick: async () => {
                        try {
                          await api(
                              `/api/v1/alerts/${encodeURIComponent(a.id)}/ack`,
                              {method: 'POST', body: {}});
                          ctx.reload();
                        } catch (e) {
                          show(e);
                        }
                      }
                    },
                    'Acknowledge');
              }
            },
          ],
          list, {
            id: 'alerts-table',
            rowAttrs: (a) => ({class: a.state === 'open' ? 'bad' : null, 'data-alert': a.id})
          }));
    }
    if (ctx.meta.user && ctx.meta.user.role === 'admin') {
      const {panel, ready} = rulesPanel(ctx, show);
      el.append(panel);
      return ready;  // the view counts as loaded once its rules are in
    }
    return null;
  },
};

// The alert rules (admin): list, add, delete (docs/hub-api.md, "Alerts").
const RULE_METRICS = [
  ['unhappy_pct', 'unhappy % (CSAT 1–2 or detractor)'],
  ['csat_mean', 'CSAT mean'],
  ['nps', 'NPS'],
  ['response_rate', 'response rate'],
  ['kiosk_offline_min', 'kiosk offline (minutes)'],
  ['camera_not_counting_min', 'camera not counting in opening hours (minutes)'],
];

function rulesPanel(ctx, show) {
  const panel = h('section', {class: 'panel', id: 'rules'}, h('h2', {}, 'Rules'));
  const listBox = h('div', {}, h('p', {class: 'note'}, 'Loading rules…'));
  const scopes = [
    ['stores', 'each store'], ['chain', 'the whole chain'],
    ...Object.keys(ctx.meta.regions || {}).map((r) => [`region:${r}`, `region ${r}`]),
    ...(ctx.meta.stores || []).map((s) => [`store:${s.store}`, `store ${s.store}`])
  ];
  const field = (label, input) => h('label', {class: 'field'}, h('span', {}, label), input);
  const sel = (name, options) =>
      h('select', {name}, options.map(([v, t]) => h('option', {value: v}, t)));
  const num = (name, value, attrs = {}) =>
      h('input', {name, type: 'number', value, required: true, step: 'any', ...attrs});
  const form = h(
      'form', {class: 'rule-form', id: 'new-rule'},
      h('div', {class: 'row'},
        field(
            'Name',
            h('input', {name: 'name', type: 'text', required: true, placeholder: 'unhappy spike'})),
        field('Metric', sel('metric', RULE_METRICS)),
        field('When', sel('op', [['>=', '≥'], ['<=', '≤']])),
        field('Threshold', num('threshold', 50)),
        field('Window (min)', num('window_min', 15, {min: 1, max: 10080, step: 1})),
        field('Min. responses', num('min_n', 4, {min: 0, step: 1})),
        field('Scope', sel('scope', scopes))),
      h('button', {type: 'submit', class: 'primary'}, 'Add rule'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    try {
      await api('/api/v1/rules', {
        method: 'POST',
        body: {
          name: fd.get('name'),
          metric: fd.get('metric'),
          op: fd.get('op'),
          threshold: Number(fd.get('threshold')),
          window_min: Number(fd.get('window_min')),
          min_n: Number(fd.get('min_n')),
          scope: fd.get('scope')
        }
      });
      ctx.reload();
    } catch (e) {
      show(e);
    }
  });
  panel.append(listBox, form);
  const ready =
      api('/api/v1/rules')
          .then((data) => {
            const rules = data.rules || [];
            listBox.replaceChildren(
                rules.length ?
                    table(
                        [
                          {label: 'Name', value: (r) => h('strong', {}, r.name)},
                          {label: 'Condition', value: (r) => `${r.metric} ${r.op} ${r.threshold}`},
                          {label: 'Window', value: (r) => fmt.duration(r.window_min * 60)},
                          {label: 'Min. n', num: true, value: (r) => fmt.int(r.min_n)},
                          {label: 'Scope', value: (r) => r.scope},
                          {
                            label: '',
                            value: (r) =>
                                h('button', {
                                  type: 'button',
                                  class: 'small',
                                  onclick: async () => {
                                    if (!window.confirm(`Delete the rule ${r.name}?`)) return;
                                    try {
                                      await api(
                                          `/api/v1/rules/${encodeURIComponent(r.id)}`,
                                          {method: 'DELETE'});
                                      ctx.reload();
                                    } catch (e) {
                                      show(e);
                                    }
                                  }
                                },
                                  'Delete')
                          },
                        ],
                        rules, {id: 'rules-table', rowAttrs: (r) => ({'data-rule': r.name})}) :
                    h('p', {class: 'note'}, 'No rules yet.'));
          })
          .catch((e) => listBox.replaceChildren(h('p', {class: 'note'}, `Rules: ${e.message}`)));
  return {panel, ready};
}

// ---------- users (admin only) ----------

const users = {
  id: 'users',
  path: '/users',
  title: 'Users',
  filters: false,
  csv: false,
  live: false,
  admin: true,
  endpoint: () => '/api/v1/users',
  render(el, data, state, ctx) {
    const msg = h('p', {class: 'error', role: 'alert', hidden: true});
    const show = (e) => {
      msg.textContent = e.message;
      msg.hidden = false;
    };
    const list = data.users || [];
    el.append(
        msg,
        table(
            [
              {label: 'User', key: 'user', value: (u) => h('strong', {}, u.user)},
              {label: 'Role', key: 'role', value: (u) => u.role},
              {
                label: 'Regions',
                value: (u) => (u.role === 'regional' ? (u.regions || []).join(', ') : 'all')
              },
              {
                label: '',
                value: (u) =>
                    h('button', {
                      type: 'button',
                      class: 'small',
                      'data-delete': u.user,
                      onclick: async () => {
                        if (!window.confirm(`Delete the user ${u.user}?`)) return;
                        try {
                          await api(
                              `/api/v1/users/${encodeURIComponent(u.user)}`, {method: 'DELETE'});
                          ctx.reload();
                        } catch (e) {
                          show(e);
                        }
                      }
                    },
                      'Delete')
              },
            ],
            list, {id: 'users-table', rowAttrs: (u) => ({'data-user': u.user})}));
    const regions = Object.keys(ctx.meta.regions || {});
    const regionBoxes =
        h('fieldset', {class: 'regions', hidden: true}, h('legend', {}, 'Regions'),
          regions.map(
              (r) =>
                  h('label', {class: 'check'},
                    h('input', {type: 'checkbox', name: 'regions', value: r}), r)));
    const role = h('select', {name: 'role'}, [
      ['analyst', 'analyst: every store'], ['regional', 'regional: its regions only'],
      ['admin', 'admin: everything, and users']
    ].map(([v, t]) => h('option', {value: v}, t)));
    role.addEventListener('change', () => (regionBoxes.hidden = role.value !== 'regional'));
    const form =
        h('form', {class: 'panel user-form', id: 'new-user'}, h('h2', {}, 'New user'),
          h('div', {class: 'row'},
            h('label', {class: 'field'}, h('span', {}, 'User'),
              h('input', {name: 'user', type: 'text', required: true, autocomplete: 'off'})),
            h('label', {class: 'field'}, h('span', {}, 'Password (at least 10 characters)'),
              h('input', {
                name: 'password',
                type: 'password',
                required: true,
                minlength: 10,
                autocomplete: 'new-password'
              })),
            h('label', {class: 'field'}, h('span', {}, 'Role'), role)),
          regionBoxes, h('button', {type: 'submit', class: 'primary'}, 'Create user'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const fd = new FormData(form);
      try {
        await api('/api/v1/users', {
          method: 'POST',
          body: {
            user: fd.get('user'),
            password: fd.get('password'),
            role: fd.get('role'),
            regions: fd.get('role') === 'regional' ? fd.getAll('regions') : []
          }
        });
        ctx.reload();
      } catch (e) {
        show(e);
      }
    });
    el.append(form);
  },
};

export const VIEWS =
    [journey, trends, heatmaps, stores, painpoints, fleet, alerts, users, config];
