// ECharts (vendor/echarts.min.js, loaded by index.html as window.echarts) with the app's
// colour-blind-safe palette; charts of the open view are disposed when the view changes.
import {h, PALETTE} from './core.js';

const live = new Set();

export function chart(el, option) {
  const ec = window.echarts;
  if (!ec) {
    el.replaceChildren(
        h('p', {class: 'note'}, 'Charts unavailable: vendor/echarts.min.js did not load.'));
    return null;
  }
  const c = ec.init(el, null, {renderer: 'canvas'});
  c.setOption({
    color: PALETTE,
    textStyle: {fontFamily: 'inherit'},
    animation: false,
    ...option,
  });
  live.add(c);
  return c;
}

export function disposeCharts() {
  for (const c of live) c.dispose();
  live.clear();
}

// Charts are created while their element is already in the page; keep them sized to it.
let pending = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => {
    for (const c of live) c.resize();
  });
});

export function resizeCharts() {
  for (const c of live) c.resize();
}
