// The Touchpoint hub's web app: login / first-admin setup, the navigation, the filter bar (its
// state lives in the URL so that a link reproduces the view), the views and live refresh on the
// hub's `commit` events (/api/v1/live). The API is docs/hub-api.md; the app is docs/hub-app.md.
import {disposeCharts, resizeCharts} from './js/charts.js';
import {api, ApiError, apiQuery, DASH, h, isoDate, readState, session, stateQuery} from './js/core.js';
import {storeView, VIEWS} from './js/views.js';

const root = document.getElementById('app');
let meta = null;
let live = null;
let current = null;  // {view, state, params, seq}
let loadSeq = 0;

// ---------- navigation ----------

export function navigate(url, {replace = false} = {}) {
  if (replace)
    history.replaceState(null, '', url);
  else
    history.pushState(null, '', url);
  route();
}
window.addEventListener('popstate', () => route());
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-nav]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey)
    return;
  ev.preventDefault();
  navigate(a.getAttribute('href'));
});

function findView(path) {
  const m = path.match(/^\/stores\/([^/]+)$/);
  if (m) return {view: storeView, params: {store: decodeURIComponent(m[1])}};
  const v = VIEWS.find((x) => x.path === path);
  return v ? {view: v, params: {}} : null;
}

async function route() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === '/setup') return renderSetup();
  if (path === '/login') return renderLogin();
  if (!session.user) {
    try {
      Object.assign(session, await api('/api/v1/session'));
      session.user = session.user || null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        const next = location.pathname + location.search;
        return navigate(`/login?next=${encodeURIComponent(next)}`, {replace: true});
      }
      return renderFatal(e);
    }
  }
  if (!meta) {
    try {
      meta = await api('/api/v1/meta');
    } catch (e) {
      return renderFatal(e);
    }
    startLive();
  }
  const found = findView(path);
  if (!found) return navigate('/journey' + location.search, {replace: true});
  await showView(found.view, found.params);
}

function renderFatal(e) {
  disposeCharts();
  root.replaceChildren(
      h('main', {class: 'auth'}, h('h1', {}, 'Touchpoint'),
        h('p', {class: 'error', role: 'alert'}, e.message)));
}

// ---------- login and setup ----------

function authPage(title, intro, fields, submitLabel, onSubmit) {
  disposeCharts();
  const error = h('p', {class: 'error', role: 'alert', hidden: true});
  const inputs = fields.map((f) => h('label', {}, f.label, h('input', {
                                       name: f.name,
                                       type: f.type || 'text',
                                       autocomplete: f.autocomplete,
                                       required: true,
                                       minlength: f.minlength
                                     })));
  const form =
      h('form', {class: 'auth-form', novalidate: false}, inputs,
        h('button', {type: 'submit', class: 'primary'}, submitLabel), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const data = Object.fromEntries(new FormData(form));
    try {
      await onSubmit(data);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });
  root.replaceChildren(
      h('main', {class: 'auth'},
        h('div', {class: 'brand big'}, h('span', {class: 'logo', 'aria-hidden': 'true'}, '◔'),
          'Touchpoint'),
        h('h1', {}, title), intro ? h('p', {}, intro) : null, form));
  form.querySelector('input').focus();
}

function afterLogin(body) {
  Object.assign(session, body);
  meta = null;
  const next = new URLSearchParams(location.search).get('next');
  navigate(
      next && next.startsWith('/') && !next.startsWith('//') ? next : '/journey', {replace: true});
}

function renderLogin() {
  authPage(
      'Sign in', null,
      [
        {name: 'user', label: 'User', autocomplete: 'username'},
        {name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password'},
      ],
      'Sign in', async (d) => afterLogin(await api('/api/v1/login', {method: 'POST', body: d})));
}

function renderSetup() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  if (!/^[0-9a-f]{48}$/i.test(token)) {
    disposeCharts();
    root.replaceChildren(
        h('main', {class: 'auth'}, h('h1', {}, 'First start'),
          h('p', {class: 'error', role: 'alert'},
            'This setup link has no valid token. Use the link the hub printed at its first start ' +
                '(hub: first start: create the admin at …/setup#token=…).'),
          h('p', {}, h('a', {href: '/login'}, 'Sign in instead'))));
    return;
  }
  authPage(
      'Create the first admin',
      'No user exists yet. The one-time link the hub printed lets you create the administrator.',
      [
        {name: 'user', label: 'Admin user name', autocomplete: 'username'},
        {
          name: 'password',
          label: 'Password (at least 10 characters)',
          type: 'password',
          autocomplete: 'new-password',
          minlength: 10
        },
      ],
      'Create admin and sign in', async (d) => {
        const body = await api('/api/v1/setup', {method: 'POST', body: {token, ...d}});
        history.replaceState(null, '', '/setup');  // the token is spent; drop it from history
        afterLogin(body);
      });
}

async function logout() {
  try {
    await api('/api/v1/logout', {method: 'POST'});
  } catch {
    // Signed out anyway from the app's point of view.
  }
  session.user = null;
  session.csrf = null;
  meta = null;
  if (live) live.close();
  live = null;
  clearTimeout(liveRetryTimer);
  navigate('/login', {replace: true});
}

// ---------- live ----------

let liveTimer = 0;
// Close the stream before the page goes away: an open EventSource can hold up the next
// navigation's connection (seen in headless Chromium).
window.addEventListener('pagehide', () => {
  if (live) live.close();
  live = null;
});
// The browser reconnects by itself after a dropped stream, but not after an HTTP error (the hub
// answers 429 when its live streams are all taken, or 401 after a restart): then the app tries
// again itself, 5 s, 10 s, ... up to a minute apart, and says so in the badge.
let liveRetryMs = 5000;
let liveOpened = false;  // whether a stream was ever open (else "connecting", not "reconnecting")
let liveRetryTimer = 0;
let liveRetryShownS = 5;  // the wait of the retry now scheduled, for the badge
function startLive() {
  if (live || !session.user || typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/live');
  live = es;
  es.addEventListener('open', () => {
    liveOpened = true;
    liveRetryMs = 5000;
    setLiveBadge('live');
  });
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED) {
      return setLiveBadge(liveOpened ? 'reconnecting' : 'connecting');
    }
    if (live === es) live = null;
    liveRetryShownS = Math.round(liveRetryMs / 1000);
    setLiveBadge('offline', null, liveRetryShownS);
    clearTimeout(liveRetryTimer);
    liveRetryTimer = setTimeout(startLive, liveRetryMs);
    liveRetryMs = Math.min(60000, liveRetryMs * 2);
  });
  es.addEventListener('commit', () => {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      if (current && current.view.live !== false) loadView({live: true, fromStream: true});
    }, 200);
  });
}

function setLiveBadge(state, when, retryS) {
  const b = document.getElementById('live-badge');
  if (!b) return;
  b.dataset.state = state;
  const label = {
    live: 'Live',
    updated: 'Live',
    held: 'Live · new data waits while you edit',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
    offline: `Not live (retry in ${retryS} s)`,
  }[state] ||
      state;
  b.querySelector('.label').textContent = when ? `${label} · updated ${when}` : label;
}

// ---------- the shell: navigation + filter bar ----------

function navBar(activePath) {
  const q = stateQuery(pickFilters(readState()));
  const links = VIEWS.filter((v) => !v.admin || session.role === 'admin')
                    .map(
                        (v) =>
                            h('a', {
                              href: v.path + (v.filters === false ? '' : q),
                              'data-nav': true,
                              'aria-current': activePath.startsWith(v.path) ? 'page' : null
                            },
                              v.title));
  return h(
      'header', {class: 'top'},
      h('div', {class: 'brand'}, h('span', {class: 'logo', 'aria-hidden': 'true'}, '◔'),
        'Touchpoint'),
      h('nav', {'aria-label': 'Views'}, links),
      h('div', {class: 'who'},
        h('span', {
          id: 'live-badge',
          class: 'live',
          'data-state': live ? 'live' : 'off',
          title: 'Views refresh when the hub stores new events'
        },
          h('span', {class: 'dot', 'aria-hidden': 'true'}), h('span', {class: 'label'}, 'Live')),
        h('span', {class: 'user'}, `${session.user} · ${session.role}`),
        h('button', {type: 'button', class: 'link', onclick: logout}, 'Sign out')));
}

function pickFilters(s) {
  const out = {};
  for (const k of ['from', 'to', 'region', 'store', 'touchpoint', 'stage', 'suspect', 'compare'])
    out[k] = s[k];
  return out;
}

function setState(patch) {
  const state = {...readState(), ...patch};
  history.pushState(null, '', location.pathname + stateQuery(state));
  loadView({});
}

function multiPick(label, all, chosen, onChange, describe = (x) => x) {
  const summary =
      h('summary', {}, `${label}: `, h('strong', {}, chosen.length ? chosen.join(', ') : 'all'));
  const boxes = all.map(
      (x) =>
          h('label', {class: 'check'},
            h('input', {type: 'checkbox', value: x, checked: chosen.includes(x)}), describe(x)));
  const d =
      h('details', {class: 'multi', 'data-filter': label.toLowerCase()}, summary,
        h('div', {class: 'menu'}, boxes.length ? boxes : h('p', {class: 'note'}, 'none'),
          h('div', {class: 'menu-actions'},
            h('button', {type: 'button', class: 'link', onclick: () => onChange([])}, 'All'))));
  d.addEventListener('change', () => {
    onChange(
        boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value));
  });
  return d;
}

function select(name, label, options, value, onChange) {
  const s =
      h('select', {name, 'aria-label': label},
        options.map(([v, text]) => h('option', {value: v, selected: v === value}, text)));
  s.addEventListener('change', () => onChange(s.value));
  return h('label', {class: 'field'}, h('span', {}, label), s);
}

function filterBar(state, resolved) {
  const nowMs = meta.now_ms || Date.now();
  const yesterday = new Date(nowMs - 86400000);
  const preset = (days) => {
    const from = new Date(yesterday.getTime() - (days - 1) * 86400000);
    setState({from: isoDate(from), to: isoDate(yesterday)});
  };
  const dateInput = (key, label) => {
    const i = h(
        'input', {type: 'date', name: key, value: state[key] || (resolved && resolved[key]) || ''});
    i.addEventListener('change', () => {
      if (/^\d{4}-\d{2}-\d{2}$/.test(i.value)) setState({[key]: i.value});
    });
    return h('label', {class: 'field'}, h('span', {}, label), i);
  };
  const regions = Object.keys(meta.regions || {});
  const storesInRegions =
      (meta.stores || [])
          .filter((s) => !state.region.length || state.region.includes(s.region))
          .map((s) => s.store);
  const check = (key, label) => {
    const i = h('input', {type: 'checkbox', name: key, checked: state[key]});
    i.addEventListener('change', () => setState({[key]: i.checked}));
    return h('label', {class: 'check toggle'}, i, label);
  };
  return h(
      'section', {class: 'filters', 'aria-label': 'Filters'},
      h('div', {class: 'group dates'}, dateInput('from', 'From'), dateInput('to', 'To'),
        h('div', {class: 'presets'}, h('button', {type: 'button', onclick: () => preset(7)}, '7 d'),
          h('button', {type: 'button', onclick: () => preset(28)}, '28 d'),
          h('button', {type: 'button', onclick: () => preset(90)}, '90 d'))),
      h('div', {class: 'group'},
        regions.length ? multiPick('Regions', regions, state.region, (v) => setState({region: v})) :
                         null,
        multiPick('Stores', storesInRegions, state.store, (v) => setState({store: v}))),
      h('div', {class: 'group'},
        select(
            'touchpoint', 'Touchpoint',
            [['', 'All touchpoints'], ...(meta.touchpoints || []).map((t) => [t, t])],
            state.touchpoint, (v) => setState({touchpoint: v})),
        select(
            'stage', 'Stage', [['', 'All stages'], ...(meta.stages || []).map((t) => [t, t])],
            state.stage, (v) => setState({stage: v}))),
      h('div', {class: 'group'}, check('suspect', 'Include suspect'),
        check('compare', 'Compare to previous period')));
}

// ---------- views ----------

async function showView(view, params) {
  current = {view, params};
  await loadView({});
}

// Whether the user has typed or chosen something in a form of the view that is not sent yet. A live
// update would throw it away, so it waits (the badge says so) until the form is sent or the user
// goes to another view.
const editing = () => document.querySelector('#content[data-editing]') !== null;

// `live`: new figures for the same view and filters. Only the content is replaced: the bar, the
// filters and the controls stay as they are (an open menu stays open, a click in flight lands).
// `fromStream`: the hub said it stored something; held while the user edits a form.
async function loadView({live: isLive = false, fromStream = false}) {
  if (!current) return;
  if (fromStream && editing()) return setLiveBadge('held');
  const {view, params} = current;
  const state = readState();
  const seq = ++loadSeq;
  const endpoint = view.endpoint(params);
  const query = view.filters === false ? '' : apiQuery(state, view.own || []);
  let data = null;
  let error = null;
  try {
    data = await api(endpoint + query);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.user = null;
      return route();
    }
    error = e;
  }
  if (seq !== loadSeq) return;                               // a newer load started meanwhile
  if (fromStream && editing()) return setLiveBadge('held');  // the user began while it loaded
  const scrollY = window.scrollY;
  disposeCharts();
  const content = h('main', {class: 'content', id: 'content', 'data-view': view.id});
  const edited = () => (content.dataset.editing = '1');
  content.addEventListener('input', edited);
  content.addEventListener('change', edited);
  const shown = document.getElementById('content');
  if (isLive && shown && shown.dataset.view === view.id) {
    shown.replaceWith(content);
  } else {
    const csv = view.csv === false ?
        null :
        h('a', {
          class: 'button',
          id: 'export-csv',
          href: endpoint + apiQuery(state, view.own || [], {format: 'csv'}),
          download: true
        },
          '⤓ Export CSV');
    const toolbar =
        h('div', {class: 'toolbar'}, h('h1', {}, view.heading ? view.heading(params) : view.title),
          h('div', {class: 'view-controls'},
            view.controls ? view.controls(state, setState, meta) : null, csv));
    const bar = view.filters === false ? null : filterBar(state, data && data.filter);
    root.replaceChildren(...[navBar(location.pathname), bar, toolbar, content].filter(Boolean));
  }
  if (error) {
    content.append(
        view.onError ? view.onError(error) :
                       h('p', {class: 'error', role: 'alert'}, error.message));
  } else {
    if (data && data.filter && view.filters !== false) content.append(filterSummary(data));
    await view.render(content, data, state, {
      meta,
      params,
      setState,
      navigate,
      reload: () => loadView({live: true}),
      // After the hub config changed: stages, regions and stores as the hub now has them.
      refreshMeta: async () => {
        meta = await api('/api/v1/meta');
      }
    });
    if (seq !== loadSeq) return;
    resizeCharts();
  }
  if (isLive) {
    window.scrollTo(0, scrollY);
    setLiveBadge('updated', new Date().toLocaleTimeString('en-GB'));
  } else if (live) {
    setLiveBadge(live.readyState === 1 ? 'live' : liveOpened ? 'reconnecting' : 'connecting');
  } else {
    setLiveBadge('offline', null, liveRetryShownS);
  }
  root.dataset.loaded = String(seq);
}

function filterSummary(data) {
  const f = data.filter;
  const prev = data.previous_period;
  const n = (f.stores || []).length;
  return h(
      'p', {class: 'summary', id: 'filter-summary'},
      `${f.from} – ${f.to} · ${n} store${n === 1 ? '' : 's'}`,
      f.touchpoint ? ` · touchpoint ${f.touchpoint}` : '', f.stage ? ` · stage ${f.stage}` : '',
      f.suspect ? ' · suspect sessions included' : '',
      prev ? ` · compared with ${prev.from} – ${prev.to}` : '');
}

route().catch(renderFatal);
export {DASH};
