// Whether an element is worth running: in view (IntersectionObserver) and its page in
// the foreground (visibilitychange). Calls back on every change; no observer = visible.

export class Activity {
  private visible = false;
  private pageHidden = false;
  private io: IntersectionObserver | null = null;
  private readonly host: Element;
  private readonly onChange: () => void;
  private readonly onVisibility = () => {
    this.pageHidden = document.visibilityState === 'hidden';
    this.onChange();
  };

  constructor(host: Element, onChange: () => void) {
    this.host = host;
    this.onChange = onChange;
  }

  get active(): boolean {
    return this.visible && !this.pageHidden;
  }

  start(): void {
    this.pageHidden = document.visibilityState === 'hidden';
    document.addEventListener('visibilitychange', this.onVisibility);
    if (this.io) return;
    if (typeof IntersectionObserver !== 'function') {
      this.visible = true;
      return;
    }
    this.io = new IntersectionObserver((entries) => {
      this.visible = entries[entries.length - 1].isIntersecting;
      this.onChange();
    });
    this.io.observe(this.host);
  }

  stop(): void {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.io?.disconnect();
    this.io = null;
    this.visible = false;
  }
}
