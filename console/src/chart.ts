import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

export interface Series {
  label: string;
  values: Array<number | null>;
  colour: string;
}

/**
 * A small line chart (uPlot) over time: x in seconds since the epoch, one line per series; null
 * leaves a gap (a check with no figure for that variant). `testid` names the chart for the tests.
 */
export function lineChart(title: string, times: number[], series: Series[], testid: string, width = 420): HTMLElement {
  const box = h('div', { class: 'chart', 'data-chart': testid });
  const options: uPlot.Options = {
    title,
    width,
    height: 200,
    // One point alone would stretch the time axis over years: a few minutes either side instead.
    scales: { x: times.length === 1 ? { time: true, auto: false, range: [(times[0] as number) - 300, (times[0] as number) + 300] } : { time: true } },
    series: [{}, ...series.map((line) => ({ label: line.label, stroke: line.colour, width: 2, points: { show: true, size: 5 }, spanGaps: false }))],
    axes: [{}, { size: 56 }],
  };
  // uPlot measures the element it draws into: draw once the box is in the page.
  queueMicrotask(() => new uPlot(options, [times, ...series.map((line) => line.values)] as uPlot.AlignedData, box));
  return box;
}
