import { clampUnit } from './compare-keys';
import {
  clampPan,
  fitTransform,
  fitZoom,
  panBy,
  reframe,
  stepZoom,
  visibleImageRect,
  wheelFactor,
  zoomAround,
  zoomCentred,
  type CompareMode,
  type Point,
  type Rect,
  type Size,
  type ViewTransform,
} from './view-transform';

/**
 * Zoom, pan and layout of the compare view. One transform serves both panes: in the split view
 * both layers share one viewport; side by side each pane has the same size, so the same transform
 * shows the same image point at the same place in each. Read through the getters, changed only
 * through the methods.
 */
export class CompareState {
  #mode = $state<CompareMode>('split');
  #pane = $state<Size>({ width: 0, height: 0 });
  #image = $state<Size>({ width: 0, height: 0 });
  #view = $state<ViewTransform>({ zoom: 1, x: 0, y: 0 });
  #fitted = $state(true);
  #divider = $state(0.5);
  #settledAt = $state(0);
  /** Who holds the original on show (the flicker key, the button): shown while anyone does. */
  #originalBy = $state.raw<readonly ('key' | 'button')[]>([]);

  get mode(): CompareMode {
    return this.#mode;
  }

  /** Size of one pane, CSS px. */
  get pane(): Size {
    return this.#pane;
  }

  /** Output size of the image on show (the original is drawn enlarged to it). */
  get image(): Size {
    return this.#image;
  }

  get view(): ViewTransform {
    return this.#view;
  }

  /** The view follows the viewport's size while it shows the whole image. */
  get fitted(): boolean {
    return this.#fitted;
  }

  /** Split position, 0–1 of the viewport's width. */
  get divider(): number {
    return this.#divider;
  }

  /** Bumped when zoom or pan settles, so previews of the visible region can follow. */
  get settledAt(): number {
    return this.#settledAt;
  }

  /** The original is on show in place of every render (the A/B flicker is held). */
  get showingOriginal(): boolean {
    return this.#originalBy.length > 0;
  }

  /** The flicker key or button is held (`on`) or let go of; either shows the original. */
  holdOriginal(by: 'key' | 'button', on: boolean): void {
    if (this.#originalBy.includes(by) === on) return;
    this.#originalBy = on ? [...this.#originalBy, by] : this.#originalBy.filter((b) => b !== by);
  }

  get fit(): number {
    return fitZoom(this.#image, this.#pane);
  }

  get ready(): boolean {
    return this.#pane.width > 0 && this.#image.width > 0;
  }

  /** The visible part of the image, in output px. */
  get visible(): Rect {
    return visibleImageRect(this.#view, this.#image, this.#pane);
  }

  /** Shows another image (or the same one at another size): back to fit. */
  setImage(size: Size): void {
    if (size.width === this.#image.width && size.height === this.#image.height) return;
    this.#image = size;
    this.fitView();
  }

  /** Shows a new photo: back to fit even when it has the size of the last one; a gesture ends. */
  showPhoto(size: Size): void {
    this.#image = size;
    this.fitView();
    this.settle();
  }

  setPane(size: Size): void {
    if (size.width === this.#pane.width && size.height === this.#pane.height) return;
    const before = this.#pane;
    this.#pane = size;
    if (this.#fitted || before.width === 0 || before.height === 0) this.fitView();
    else this.#set(reframe(this.#view, before, size, this.#image), false);
  }

  setMode(mode: CompareMode): void {
    this.#mode = mode;
  }

  /** Moves the split (0–1 of the viewport's width, clamped). */
  setDivider(divider: number): void {
    this.#divider = clampUnit(divider);
  }

  fitView(): void {
    this.#set(fitTransform(this.#image, this.#pane), true);
  }

  /** Zooms to a level around the viewport centre (menu, `1` for 100 %). */
  zoomTo(zoom: number): void {
    this.#set(zoomCentred(this.#view, zoom, this.#image, this.#pane), false);
  }

  /** `+` / `-`: the next stop up or down. */
  zoomStep(direction: 1 | -1): void {
    this.zoomTo(stepZoom(this.#view.zoom, direction, this.fit));
  }

  /** Wheel zoom around the cursor (`at`, pane px). */
  wheel(deltaY: number, deltaMode: number, at: Point): void {
    const next = this.#view.zoom * wheelFactor(deltaY, deltaMode);
    this.#set(zoomAround(this.#view, next, at, this.#image, this.#pane), false);
  }

  pan(dx: number, dy: number): void {
    this.#set(
      panBy(this.#view, dx, dy, this.#image, this.#pane),
      this.#fitted && dx === 0 && dy === 0,
    );
  }

  /** Sets a transform directly (tests, restoring a view), within the limits. */
  setView(view: ViewTransform): void {
    this.#set(clampPan(view, this.#image, this.#pane), false);
  }

  /** Marks the end of a gesture (pointer up, a pause in wheel events). */
  settle(): void {
    this.#settledAt++;
  }

  #set(view: ViewTransform, fitted: boolean): void {
    this.#view = view;
    this.#fitted = fitted;
  }
}
