/** Export of the canvas as a PNG or SVG picture of the whole design (html-to-image, loaded
 * only when asked for, as in React Flow's download-image example). */
import { getNodesBounds, getViewportForBounds, type Node } from '@xyflow/react';

export function download(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
}

export async function exportCanvasImage(format: 'png' | 'svg', nodes: Node[], baseName: string) {
  const { toPng, toSvg } = await import('html-to-image');
  const viewportEl = document.querySelector<HTMLElement>('.react-flow__viewport');
  if (!viewportEl || nodes.length === 0) throw new Error('There is nothing on the canvas to export.');
  const bounds = getNodesBounds(nodes);
  const width = Math.min(4096, Math.max(480, Math.ceil(bounds.width + 160)));
  const height = Math.min(4096, Math.max(320, Math.ceil(bounds.height + 160)));
  const viewport = getViewportForBounds(bounds, width, height, 0.2, 2, 0.1);
  const render = format === 'png' ? toPng : toSvg;
  const url = await render(viewportEl, {
    backgroundColor: '#ffffff',
    width,
    height,
    style: {
      width: `${width}px`,
      height: `${height}px`,
      transform: `translate(${viewport.x}px, ${viewport.y}px) scale(${viewport.zoom})`,
    },
  });
  download(url, `${baseName}.${format}`);
}
