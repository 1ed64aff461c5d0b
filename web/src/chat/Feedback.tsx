// "Helpful" / "Not helpful" under a stored answer, with an optional comment, shown once saved.

import { type FormEvent, useId, useState } from "react";
import { useMutation } from "urql";

import styles from "./Chat.module.css";
import { RateAnswerMutation } from "./operations";

type Rating = "UP" | "DOWN";

export function Feedback({
  messageId,
  rated,
  commented,
}: {
  messageId: string;
  rated: Rating | null;
  commented: string | null;
}) {
  const [rating, setRating] = useState<Rating | null>(rated);
  // A new rating without a comment replaces the comment too: the server's answer says which.
  const [comment, setComment] = useState<string | null>(commented);
  const [commenting, setCommenting] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, rate] = useMutation(RateAnswerMutation);
  const commentId = useId();

  async function send(next: Rating | null, comment: string | null): Promise<boolean> {
    setError(null);
    const result = await rate({ messageId, rating: next, comment });
    const payload = result.data?.rateAnswer;
    if (payload?.__typename === "RateAnswerSuccess") {
      setRating(payload.rating);
      setComment(payload.comment ?? null);
      return true;
    }
    if (payload?.__typename === "RatingCleared") {
      setRating(null);
      setComment(null);
      setCommenting(false);
      return true;
    }
    setError(payload && "message" in payload ? payload.message : "The rating could not be saved. Try again.");
    return false;
  }

  async function press(pressed: Rating) {
    // One rating per answer: the other button changes it, the pressed one again clears it.
    const next = pressed === rating ? null : pressed;
    setSaved(null);
    if (await send(next, null))
      setSaved(next === null ? "Your rating is cleared." : "Thanks, your rating is saved.");
  }

  async function submitComment(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (rating === null) return;
    const written = String(new FormData(event.currentTarget).get("comment") ?? "").trim();
    if (await send(rating, written || null)) {
      setCommenting(false);
      setSaved("Thanks, your comment is saved.");
    }
  }

  return (
    <div className={styles.feedback}>
      <div className={styles.feedbackButtons} role="group" aria-label="Rate this answer">
        <button
          type="button"
          className="button"
          aria-pressed={rating === "UP"}
          disabled={fetching}
          onClick={() => void press("UP")}
        >
          Helpful
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={rating === "DOWN"}
          disabled={fetching}
          onClick={() => void press("DOWN")}
        >
          Not helpful
        </button>
        {rating !== null && !commenting && (
          <button type="button" className="button quiet" onClick={() => setCommenting(true)}>
            {comment === null ? "Add a comment" : "Change the comment"}
          </button>
        )}
      </div>
      {rating !== null && comment !== null && !commenting && (
        <p className={styles.savedComment}>
          Your comment: <q>{comment}</q>
        </p>
      )}
      {commenting && (
        <form className={styles.comment} onSubmit={(event) => void submitComment(event)}>
          <label htmlFor={commentId}>Comment (optional)</label>
          <textarea
            id={commentId}
            name="comment"
            rows={2}
            maxLength={2000}
            defaultValue={comment ?? ""}
            autoFocus
          />
          <div className={styles.commentActions}>
            <button type="submit" className="button primary" disabled={fetching}>
              Send comment
            </button>
            <button type="button" className="button quiet" onClick={() => setCommenting(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <p className={styles.saved} role="status">
        {saved}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
