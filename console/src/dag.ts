import { Graph, layout } from '@dagrejs/dagre';
import { svg } from './svg.js';


export interface DagStep {
  id: string;
  uses: string;
  dependsOn: string[];
}

/** The drawn graph: its SVG, and a way to recolour each step as the run moves on. */
export interface DrawnDag {
  svg: SVGSVGElement;
  setState(stepId: string, state: string, selected: boolean): void;
}

/**
 * Lays the pipeline's steps out left to right with dagre (ranks follow dependsOn) and draws them
 * as SVG: a box per step, named by its id and the step type it uses, and an arrow per edge.
 * Each box carries data-step and a state-<state> class, which the stylesheet colours.
 */
export function drawDag(steps: DagStep[], onSelect: (stepId: string) => void): DrawnDag {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 56, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const width = 150;
  const height = 46;
  for (const step of steps) graph.setNode(step.id, { width, height });
  const known = new Set(steps.map((step) => step.id));
  for (const step of steps) for (const upstream of step.dependsOn) if (known.has(upstream)) graph.setEdge(upstream, step.id);
  layout(graph);

  const size = graph.graph();
  const root = svg('svg', { class: 'dag', width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), role: 'img', 'aria-label': 'the run as a graph of steps' });
  const defs = svg('defs', {});
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }));
  defs.appendChild(marker);
  root.appendChild(defs);

  for (const edge of graph.edges()) {
    const points = graph.edge(edge).points ?? [];
    const d = points.map((point: { x: number; y: number }, index: number) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`).join(' ');
    root.appendChild(svg('path', { d, class: 'dag-edge', 'marker-end': 'url(#arrow)', 'data-edge': `${edge.v}->${edge.w}` }));
  }

  const boxes = new Map<string, SVGGElement>();
  for (const step of steps) {
    const node = graph.node(step.id);
    const group = svg('g', { class: 'dag-node state-pending', 'data-step': step.id, 'data-state': 'pending', transform: `translate(${node.x - width / 2}, ${node.y - height / 2})`, tabindex: 0, role: 'button' });
    group.appendChild(svg('rect', { width, height, rx: 6, ry: 6 }));
    const name = svg('text', { x: 10, y: 19, class: 'dag-name' });
    name.textContent = step.id;
    const uses = svg('text', { x: 10, y: 36, class: 'dag-uses' });
    uses.textContent = step.uses;
    const title = svg('title', {});
    title.textContent = `${step.id} (${step.uses})`;
    group.append(title, name, uses);
    group.addEventListener('click', () => onSelect(step.id));
    group.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') onSelect(step.id);
    });
    boxes.set(step.id, group);
    root.appendChild(group);
  }

  return {
    svg: root,
    setState(stepId, state, selected) {
      const group = boxes.get(stepId);
      if (!group) return;
      group.setAttribute('class', `dag-node state-${state}${selected ? ' selected' : ''}`);
      group.setAttribute('data-state', state);
      const title = group.querySelector('title');
      const step = steps.find((candidate) => candidate.id === stepId);
      if (title && step) title.textContent = `${step.id} (${step.uses}): ${state}`;
    },
  };
}
