import { helpOpen } from "../ui.ts"
import { Icon, Modal } from "./common.tsx"
import { SHORTCUTS } from "./Shortcuts.ts"

/** The keyboard shortcuts, as a dialog (`?`). */
export const Help = () => (
  <Modal label="Keyboard shortcuts" onClose={() => (helpOpen.value = false)}>
    <div class="modal-body">
      <div class="modal-head">
        <h2>Keyboard shortcuts</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={() => (helpOpen.value = false)}>
          <Icon name="close" />
        </button>
      </div>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                {k
                  .split(" ")
                  .map((part, i) =>
                    part === "/" && k !== "/" ? (
                      " / "
                    ) : part === "or" || part === "then" ? (
                      ` ${part} `
                    ) : (
                      <kbd key={i}>{part}</kbd>
                    ),
                  )}
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </Modal>
)
