// The admin's hub config page (docs/hub-app.md, "Config"): the TOML file the hub was started
// with (--hub-config), edited as text, with the stage order also movable by buttons; saved
// through PUT /api/v1/config, which validates with the hub's own parser (problems point at
// line and column) and uses the new config at once.
import {api, ApiError, h} from './core.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

// The `stages = [...]` of the [journey] table in `text`, or null.
function stagesIn(text) {
  const m = text.match(/^\s*stages\s*=\s*\[([^\]]*)\]/m);
  if (!m) return null;
  return [...m[1].matchAll(/"([^"]*)"|'([^']*)'/g)].map((x) => x[1] ?? x[2]);
}

// `text` with its stage list replaced by `stages` (a [journey] table added when it has none).
function withStages(text, stages) {
  const list = `stages = [${stages.map((s) => JSON.stringify(s)).join(', ')}]`;
  if (/^\s*stages\s*=\s*\[[^\]]*\]/m.test(text)) {
    return text.replace(/^(\s*)stages\s*=\s*\[[^\]]*\]/m, (_, indent) => indent + list);
  }
  if (/^\s*\[journey\]\s*$/m.test(text)) {
    return text.replace(/^(\s*\[journey\]\s*)$/m, (_, head) => `${head}\n${list}`);
  }
  return `[journey]\n${list}\n\n${text}`;
}

function hoursCell(week, i) {
  const d = week ? week[DAYS[i]] : undefined;
  if (d === undefined) return h('span', {class: 'muted', title: 'not given at this level'}, '·');
  return d.length ? d.join(', ') : h('em', {}, 'closed');
}

function inForce(config) {
  const regions = Object.entries(config.regions || {});
  const oh = config.opening_hours || {};
  const levels = [
    ['Default', oh.default],
    ...Object.entries(oh.regions || {}).map(([r, w]) => [`Region ${r}`, w]),
    ...Object.entries(oh.stores || {}).map(([s, w]) => [`Store ${s}`, w]),
  ];
  const hasHours = levels.some(([, w]) => w && Object.keys(w).length);
  return h(
      'section', {class: 'panel', id: 'config-in-force'}, h('h2', {}, 'In force'),
      h('p', {class: 'note'}, 'Stage order: ',
        (config.stages || []).length ? h('strong', {id: 'stages-in-force'}, config.stages.join(' → ')) :
                                       'none configured (alphabetical)'),
      regions.length ?
          h('div', {class: 'table-wrap'},
            h('table', {class: 'data', id: 'config-regions'},
              h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Region'), h('th', {scope: 'col'}, 'Stores'))),
              h('tbody', {},
                regions.map(
                    ([r, ss]) => h('tr', {}, h('td', {}, h('strong', {}, r)),
                                   h('td', {class: 'wrap'}, ss.length ? ss.join(', ') : '–')))))) :
          h('p', {class: 'note'}, 'No regions: every store is in region (none).'),
      hasHours ?
          [
            h('p', {class: 'note'},
              'Opening hours, store-local: a store’s day, else its region’s, else the default’s ' +
                  '(· not given at that level).'),
            h('div', {class: 'table-wrap'},
              h('table', {class: 'data', id: 'config-hours'},
                h('thead', {},
                  h('tr', {}, h('th', {scope: 'col'}, 'Day'),
                    levels.map(([name]) => h('th', {scope: 'col'}, name)))),
                h('tbody', {},
                  DAY_LABELS.map(
                      (d, i) => h('tr', {'data-day': DAYS[i]}, h('th', {scope: 'row'}, d),
                                  levels.map(([, w]) => h('td', {}, hoursCell(w, i))))))))
          ] :
          h('p', {class: 'note'},
            'No opening hours: the “camera not counting” alert rule watches no store.'));
}

export const config = {
  id: 'config',
  path: '/config',
  title: 'Config',
  filters: false,
  csv: false,
  live: false,
  admin: true,
  endpoint: () => '/api/v1/config',
  render(el, data, state, ctx) {
    const msg = h('div', {class: 'error', role: 'alert', id: 'config-error', hidden: true});
    const saved = h('p', {class: 'saved', role: 'status', id: 'config-saved', hidden: true});
    const text = h('textarea', {
      id: 'config-text',
      name: 'text',
      spellcheck: 'false',
      rows: 22,
      'aria-label': 'Hub config (TOML)',
      readonly: !data.writable
    });
    text.value = data.text || '';
    // The stage order: configured ones, then those with data the config does not list.
    const stageList = h('ol', {class: 'stage-order', id: 'stage-order'});
    const drawStages = () => {
      const listed = stagesIn(text.value) || [];
      const extra = (ctx.meta.stages || []).filter((s) => !listed.includes(s));
      const all = [...listed, ...extra];
      const move = (i, by) => {
        const next = all.slice();
        [next[i], next[i + by]] = [next[i + by], next[i]];
        text.value = withStages(text.value, next);
        drawStages();
      };
      stageList.replaceChildren(...all.map(
          (s, i) => h('li', {'data-stage': s}, h('span', {class: 'name'}, s),
                      listed.includes(s) ? null : h('span', {class: 'muted'}, ' (not listed)'),
                      h('span', {class: 'moves'},
                        h('button', {
                          type: 'button',
                          class: 'small',
                          'data-up': s,
                          disabled: !data.writable || i === 0,
                          'aria-label': `Move ${s} up`,
                          onclick: () => move(i, -1)
                        },
                          '↑'),
                        h('button', {
                          type: 'button',
                          class: 'small',
                          'data-down': s,
                          disabled: !data.writable || i === all.length - 1,
                          'aria-label': `Move ${s} down`,
                          onclick: () => move(i, 1)
                        },
                          '↓')))));
    };
    text.addEventListener('input', drawStages);
    drawStages();
    // Select line `line` of the text (a problem's place).
    const goTo = (line, col) => {
      const lines = text.value.split('\n');
      let at = 0;
      for (let i = 0; i < line - 1 && i < lines.length; ++i) at += lines[i].length + 1;
      const len = (lines[line - 1] || '').length;
      text.focus();
      text.setSelectionRange(at + Math.max(0, (col || 1) - 1), at + len);
    };
    const save = h('button', {type: 'submit', class: 'primary', id: 'config-save', disabled: !data.writable},
                   'Save and apply');
    const form = h(
        'form', {class: 'panel config-form', id: 'config-form'}, h('h2', {}, 'Edit'),
        data.writable ?
            h('p', {class: 'note'}, 'File ', h('code', {}, data.path),
              '. Saving checks it with the hub’s own parser, writes it whole and applies it at once ' +
                  '(stage order, regions and so every user’s stores, opening hours).') :
            h('p', {class: 'error', id: 'config-readonly'},
              'This hub was started without --hub-config, so there is no file to save to: the ' +
                  'config shown is the empty one. Start the hub with --hub-config FILE (an existing ' +
                  'file, even empty) to edit it here.'),
        h('div', {class: 'config-grid'},
          h('div', {class: 'stages-box'}, h('h3', {}, 'Stage order'), stageList,
            h('p', {class: 'note'}, 'The buttons rewrite the stages line of the file.')),
          h('label', {class: 'field text-box'}, h('span', {}, 'hub config (TOML)'), text)),
        msg, saved, save);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      msg.hidden = true;
      saved.hidden = true;
      try {
        const out = await api('/api/v1/config', {method: 'PUT', body: {text: text.value}});
        await ctx.refreshMeta();
        saved.textContent = `Saved ${new Date().toLocaleTimeString('en-GB')}: in force now.`;
        saved.hidden = false;
        forceBox.replaceWith(forceBox = inForce(out.config));
      } catch (e) {
        const problems = (e instanceof ApiError && e.body && e.body.problems) || [];
        msg.replaceChildren(
            h('strong', {}, problems.length ? 'Not saved: fix these first.' : 'Not saved.'),
            problems.length ?
                h('ul', {id: 'config-problems'},
                  problems.map(
                      (p) => h('li', {},
                               p.line ? h('button', {
                                 type: 'button',
                                 class: 'link',
                                 onclick: () => goTo(p.line, p.col)
                               },
                                 `Line ${p.line}, column ${p.col}`) :
                                        null,
                               p.line ? ': ' : '', p.message))) :
                h('p', {}, e.message));
        msg.hidden = false;
      }
    });
    let forceBox = inForce(data.config || {});
    el.append(h('div', {class: 'config-page'}, form, forceBox));
  },
};
