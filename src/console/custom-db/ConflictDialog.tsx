import type { CustomDatabase } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ScriptDiff } from './ScriptDiff.js';
import type { ScriptSources } from './script-diff.js';

interface ConflictDialogProps {
  /** what is saved now, by someone else */
  theirs: CustomDatabase;
  /** the scripts of this page's unsaved draft */
  yours: ScriptSources;
  onOverwrite(): void;
  onLoadTheirs(): void;
  onClose(): void;
}

/**
 * A save refused with 412: someone saved the connection since this page read it. Nothing is
 * overwritten unless the administrator says so, after seeing what differs.
 */
export function ConflictDialog({ theirs, yours, onOverwrite, onLoadTheirs, onClose }: ConflictDialogProps) {
  return (
    <Modal title="Changed by someone else" onClose={onClose} wide>
      <p className="help">
        Someone else saved this custom database connection after you loaded it, so your changes were not saved. Compare
        their version with yours, then keep theirs (your changes are dropped) or save yours over it.
      </p>
      <ScriptDiff before={theirs.scripts} after={yours} beforeLabel="Theirs (saved)" afterLabel="Yours (not saved)" />
      <div className="actions">
        <button type="button" className="secondary" onClick={onLoadTheirs}>
          Load theirs
        </button>
        <button type="button" className="primary" onClick={onOverwrite}>
          Overwrite with mine
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Keep editing
        </button>
      </div>
    </Modal>
  );
}
