import { useId } from 'react';
import type { OutboxMessage } from '../api/types.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { formatTime } from '../components/format.js';
import { useAsync } from '../components/useAsync.js';
import { emailApi } from './email-api.js';

/**
 * The pool's development outbox: without GATEHOUSE_SMTP_URL, mail is kept here instead of
 * sent, so resets and verifications can be followed on one machine. Newest first, as the
 * API answers.
 */
export function OutboxPage({ poolId }: { poolId: string }) {
  const id = useId();
  const outbox = useAsync<OutboxMessage[]>(() => emailApi.outbox(poolId), [poolId]);
  const list = outbox.state.data;
  return (
    <section aria-labelledby={`${id}-title`} aria-busy={outbox.state.status === 'loading'}>
      <div className="section-head">
        <h2 id={`${id}-title`}>Outbox</h2>
        <button type="button" className="secondary" onClick={outbox.reload}>
          Refresh
        </button>
      </div>
      <p className="help">The last 50 messages this pool sent while no mail server is configured, newest first.</p>
      {outbox.state.status === 'error' && <ErrorMessage onRetry={outbox.reload}>{outbox.state.error}</ErrorMessage>}
      {list === undefined ? (
        outbox.state.status === 'loading' && <Loading label="Loading the outbox…" />
      ) : list.length === 0 ? (
        <Empty>
          No mail yet. Without <code>GATEHOUSE_SMTP_URL</code> Gatehouse sends no email: password reset and verification
          messages are written to the log and kept here, so you can open their links yourself.
        </Empty>
      ) : (
        <ol className="outbox">
          {list.map((message, index) => (
            <li key={`${message.at}-${String(index)}`} className="outbox-message">
              <article aria-label={message.subject}>
                <h3 className="outbox-subject">{message.subject}</h3>
                <p className="muted">
                  To <strong>{message.to}</strong> · <time dateTime={message.at}>{formatTime(message.at)}</time>
                </p>
                <pre className="outbox-text">{message.text}</pre>
              </article>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
