import type { ComponentChildren } from 'preact';

interface Props {
  /** The cursors of the pages before this one, oldest first: empty on the first page. */
  cursors: string[];
  setCursors: (cursors: string[]) => void;
  /** The API's cursor of the page after this one, if there is one. */
  nextCursor: string | null | undefined;
  backLabel: string;
  forwardLabel: string;
  /** Shown at the start of the row (a count, say). */
  children?: ComponentChildren;
}

/** Back and forward through a list the REST API pages by cursor (`nextCursor`), keeping the trail to go back. */
export function CursorPager({ cursors, setCursors, nextCursor, backLabel, forwardLabel, children }: Props) {
  return (
    <nav
      class={`d-flex gap-2 align-items-center${children === undefined ? ' justify-content-end' : ''}`}
      aria-label="Pages"
    >
      {children}
      <button
        type="button"
        class="btn btn-sm btn-outline-secondary"
        disabled={cursors.length === 0}
        onClick={() => setCursors(cursors.slice(0, -1))}
      >
        {backLabel}
      </button>
      <button
        type="button"
        class="btn btn-sm btn-outline-secondary"
        disabled={!nextCursor}
        onClick={() => nextCursor && setCursors([...cursors, nextCursor])}
      >
        {forwardLabel}
      </button>
    </nav>
  );
}
