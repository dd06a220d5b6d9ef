import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';

let registered = false;

/** Registers only the Chart.js pieces the app's charts use (keeps the bundle small). */
export function registerCharts(): void {
  if (registered) return;
  Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, Tooltip);
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || 'system-ui, sans-serif';
  Chart.defaults.color = '#475569';
  registered = true;
}

/** One labelled number of a chart. */
export interface ChartSlice {
  label: string;
  value: number;
  color: string;
}
