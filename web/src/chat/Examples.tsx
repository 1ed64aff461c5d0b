// An empty conversation offers questions drawn from the organisation's ready documents.

import { Link } from "react-router";
import { useQuery } from "urql";

import styles from "./Chat.module.css";
import { exampleQuestion } from "./format";
import { ExampleDocumentsQuery } from "./operations";

export function Examples({ onAsk }: { onAsk: (question: string) => void }) {
  // cache-and-network: documents that became ready since the page last asked appear.
  const [{ data, fetching }] = useQuery({ query: ExampleDocumentsQuery, requestPolicy: "cache-and-network" });
  const documents = data?.documents.nodes ?? [];
  if (fetching && !data) return null;
  if (documents.length === 0)
    return (
      <div className={styles.empty}>
        <h2>Ask about your organisation's documents</h2>
        <p>
          There are no ready documents yet. Once some are uploaded under{" "}
          <Link to="/documents">Documents</Link>, ask about them here and Beacon answers with citations.
        </p>
      </div>
    );
  return (
    <div className={styles.empty}>
      <h2>Ask about your organisation's documents</h2>
      <p>Beacon answers from the documents you can see, and cites them. For example:</p>
      <ul className={styles.examples}>
        {documents.map((document) => {
          const question = exampleQuestion(document.title);
          return (
            <li key={document.id}>
              <button type="button" className="button" onClick={() => onAsk(question)}>
                {question}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
