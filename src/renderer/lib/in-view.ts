import type { Attachment } from 'svelte/attachments';

/** Calls `callback` once, the first time the element scrolls into view (lazy thumbnails). */
export function inView(callback: () => void): Attachment<HTMLElement> {
  return (element) => {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        callback();
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  };
}
