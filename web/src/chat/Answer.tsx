// One answer: Markdown (raw HTML stays text), [n] citation chips that open the cited page, its
// state in words, and feedback once it is stored.

import * as Tooltip from "@radix-ui/react-tooltip";
import type { ComponentProps } from "react";
import Markdown from "react-markdown";

import type { AnswerStatus, Citation } from "./answerStream";
import styles from "./Chat.module.css";
import { Feedback } from "./Feedback";
import { CITATION_LINK, citationHref, citationLabel, generatorNote, linkMarkers } from "./format";

export interface AnswerProps {
  text: string;
  citations: readonly Citation[];
  status: AnswerStatus;
  problem: string | null;
  /** The stored answer, for feedback and the generator note. */
  reply: {
    id: string;
    generator: string;
    fallbackReason: string | null;
    rating: "UP" | "DOWN" | null;
    ratingComment: string | null;
  } | null;
  onRetry?: () => void;
}

export function Answer({ text, citations, status, problem, reply, onRetry }: AnswerProps) {
  const streaming = status === "streaming";
  return (
    <div className={styles.answer} aria-busy={streaming}>
      {text === "" && streaming ? (
        <p className={`${styles.searching} ${styles.streaming}`}>
          <span>Searching your documents…</span>
        </p>
      ) : (
        <div className={`${styles.markdown} ${streaming ? styles.streaming : ""}`}>
          <Markdown components={{ a: (props) => <AnswerLink {...props} citations={citations} /> }}>
            {linkMarkers(text)}
          </Markdown>
        </div>
      )}
      {status === "stopped" && <p className={styles.note}>Stopped: this answer is incomplete.</p>}
      {(status === "interrupted" || status === "failed") && (
        <div className={styles.problem} role="alert">
          <p>{problem}</p>
          {onRetry && (
            <button type="button" className="button" onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
      )}
      {status === "refused" && (
        <p className={styles.problem} role="alert">
          Not asked: {problem}
        </p>
      )}
      {reply && (
        <div className={styles.after}>
          <Feedback messageId={reply.id} rated={reply.rating} commented={reply.ratingComment} />
          <p className={styles.generator}>
            Answered by {generatorNote(reply.generator, reply.fallbackReason)}
          </p>
        </div>
      )}
    </div>
  );
}

type LinkProps = ComponentProps<"a"> & { node?: unknown; citations: readonly Citation[] };

function AnswerLink({ href, children, citations, node: _node, ...rest }: LinkProps) {
  if (href?.startsWith(CITATION_LINK)) {
    const number = Number(href.slice(CITATION_LINK.length));
    const citation = citations.find((item) => item.number === number);
    // Until the citations arrive (after the text), a marker is only its number.
    if (!citation) return <span className={styles.marker}>[{number}]</span>;
    return <CitationChip citation={citation} />;
  }
  return (
    <a {...rest} href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

function CitationChip({ citation }: { citation: Citation }) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>
        <a
          className={styles.chip}
          href={citationHref(citation)}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={citationLabel(citation)}
        >
          {citation.number}
        </a>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className={styles.tooltip} side="top" sideOffset={4} collisionPadding={8}>
          <strong>{citationLabel(citation)}</strong>
          <span className={styles.snippet}>{citation.snippet}</span>
          <Tooltip.Arrow className={styles.tooltipArrow} />
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}
