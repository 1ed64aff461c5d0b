// Feedback: rated answers, newest first, with what was asked and who rated.

import { useMemo, useState } from "react";

import { type RatingFilter, ratingLabel } from "./filters";
import { excerpt } from "./format";
import { FeedbackQuery } from "./operations";
import { LoadMore, QueryError, TableWrap, When, useNow } from "./parts";
import { useConnection } from "./useConnection";
import styles from "./Admin.module.css";

export function FeedbackTab() {
  const [rating, setRating] = useState<RatingFilter>("");
  const variables = useMemo(() => ({ rating: rating || null }), [rating]);
  const feedback = useConnection(FeedbackQuery, variables, (data) => data.feedback);
  const now = useNow();

  return (
    <>
      <h2 className="visually-hidden">Feedback</h2>
      <div className="toolbar">
        <label>
          Rating
          <select
            value={rating}
            onChange={(event) => {
              const value = event.target.value;
              setRating(value === "UP" || value === "DOWN" ? value : "");
            }}
          >
            <option value="">All ratings</option>
            <option value="UP">Helpful</option>
            <option value="DOWN">Not helpful</option>
          </select>
        </label>
      </div>
      {feedback.error && <QueryError error={feedback.error} what="the feedback" />}
      {feedback.loading ? (
        <p className="muted" role="status">
          Loading feedback…
        </p>
      ) : (
        <TableWrap label="Rated answers">
          <table>
            <caption className="visually-hidden">Rated answers, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Answer</th>
                <th scope="col">Rating</th>
                <th scope="col">Comment</th>
                <th scope="col">Who</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {feedback.nodes.length === 0 && (
                <tr>
                  <td colSpan={6} className="empty">
                    {rating
                      ? `No answer was rated “${ratingLabel(rating)}” yet.`
                      : "No answer has been rated yet. Ratings appear here when people press “Helpful” or “Not helpful” under an answer."}
                  </td>
                </tr>
              )}
              {feedback.nodes.map((entry) => (
                <tr key={entry.id}>
                  <td className={styles.text}>{entry.question}</td>
                  <td className={styles.text}>
                    {excerpt(entry.reply.text)}
                    <span className={styles.small}>Answered by {entry.reply.generator}</span>
                  </td>
                  <td className={styles.nowrap}>
                    <span className={entry.rating === "UP" ? styles.up : styles.down}>
                      {ratingLabel(entry.rating)}
                    </span>
                  </td>
                  <td className={styles.text}>
                    {entry.comment ?? <span className="muted">No comment</span>}
                  </td>
                  <td className={styles.email}>{entry.user.email}</td>
                  <td className={styles.nowrap}>
                    <When iso={entry.createdAt} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <LoadMore
        hasMore={feedback.hasMore}
        fetching={feedback.fetching && !feedback.loading}
        onLoad={feedback.loadMore}
        what="feedback"
      />
    </>
  );
}
