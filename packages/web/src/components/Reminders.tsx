import type { Notification } from "@todo/contracts"
import { useEffect } from "preact/hooks"
import {
  browserNotificationsOn,
  permission,
  turnOffBrowserNotifications,
  turnOnBrowserNotifications,
} from "../browserNotifications.ts"
import { now } from "../stores/clock.ts"
import {
  markNotificationRead,
  notifications,
  notificationsAvailable,
  scheduled,
  scheduledState,
  scheduledTruncated,
  watchScheduled,
} from "../stores/notifications.ts"
import { timeZone } from "../stores/settings.ts"
import { formatAgo, formatDate, formatDue } from "../time.ts"
import { Icon } from "./common.tsx"
import { OpenTaskButton, useTask } from "./TaskRef.tsx"

/** The switch for browser notifications: the browser's permission prompt starts only from its button. */
export const BrowserNotificationsSwitch = () => {
  const p = permission.value
  return (
    <section class="card browser-notifications" aria-labelledby="browser-notifications-heading">
      <h2 id="browser-notifications-heading">Browser notifications</h2>
      {p === "unsupported" ? (
        <p class="muted">This browser cannot show notifications; reminders show inside the app.</p>
      ) : p === "denied" ? (
        <p class="muted" role="status">
          This browser blocks notifications from this site. To get reminders outside the app, allow
          notifications for this site in the browser's site settings (the icon left of the address), then come
          back here.
        </p>
      ) : browserNotificationsOn.value ? (
        <p class="switch-row" role="status">
          <span>
            <Icon name="bell" /> On: reminders also show as notifications from this browser.
          </span>
          <button type="button" onClick={turnOffBrowserNotifications}>
            Turn off
          </button>
        </p>
      ) : (
        <p class="switch-row">
          <span>Get reminders even when this tab is in the background.</span>
          <button type="button" class="primary" onClick={() => void turnOnBrowserNotifications()}>
            Turn on browser notifications
          </button>
        </p>
      )}
    </section>
  )
}

/** Reminders still to come, soonest first. */
const Scheduled = () => {
  useEffect(() => watchScheduled(), [])
  const items = scheduled.value
  const tz = timeZone.value
  const nowMs = now.value
  return (
    <section aria-labelledby="scheduled-heading">
      <h2 id="scheduled-heading">Scheduled</h2>
      {items.length === 0 ? (
        <p class="empty" role="status">
          {scheduledState.value === "loading"
            ? "Loading…"
            : scheduledState.value === "error"
              ? "Could not load the scheduled reminders."
              : "Nothing scheduled. Set a reminder time on a task and it will wait here until it comes."}
        </p>
      ) : (
        <ul class="cards" aria-label="Scheduled reminders">
          {items.map((t) => (
            <li key={t.id} class="card scheduled" data-task-id={t.id}>
              <div class="card-head">
                <span class="kind kind-reminder">
                  <Icon name="clock" /> Scheduled
                </span>
                <time class="when" dateTime={t.remindAt!}>
                  {formatDue(t.remindAt!, tz, nowMs)}
                </time>
              </div>
              <h3 class="card-title">{t.title}</h3>
              {t.dueDate && (
                <p class="muted">
                  Due <time dateTime={t.dueDate}>{formatDue(t.dueDate, tz, nowMs)}</time>
                </p>
              )}
              <div class="card-actions">
                <OpenTaskButton task={t} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {scheduledTruncated.value && <p class="muted">Only the first {items.length} are shown.</p>}
    </section>
  )
}

/** One reminder that fired. */
const DeliveredCard = ({ n, tz }: { n: Notification; tz: string }) => {
  const task = useTask(n.taskId)
  return (
    <li class={`card notification${n.readAt ? " read" : ""}`} data-notification-id={n.id}>
      <div class="card-head">
        <span class="kind kind-reminder">
          <Icon name="bell" /> {n.readAt ? "Reminder" : "New reminder"}
        </span>
        <span class="muted" title={formatDate(n.createdAt, tz)}>
          {formatAgo(n.createdAt)}
        </span>
      </div>
      <h3 class="card-title">{n.title}</h3>
      <p>{n.message}</p>
      <div class="card-actions">
        {!n.readAt && (
          <button type="button" onClick={() => void markNotificationRead(n)}>
            Mark as read
          </button>
        )}
        {task && <OpenTaskButton task={task} />}
      </div>
    </li>
  )
}

/** Reminders that fired, newest first. */
const Delivered = () => {
  const items = notifications.value
  const tz = timeZone.value
  return (
    <section aria-labelledby="delivered-heading">
      <h2 id="delivered-heading">Delivered</h2>
      {items.length === 0 ? (
        <p class="empty" role="status">
          No reminders yet. Set a reminder time on a task and it will show up here.
        </p>
      ) : (
        <ul class="cards" aria-label="Delivered reminders">
          {items.map((n) => (
            <DeliveredCard key={n.id} n={n} tz={tz} />
          ))}
        </ul>
      )}
    </section>
  )
}

/** The reminders to come and those delivered, and the switch for browser notifications. */
export const RemindersView = () => (
  <section aria-labelledby="reminders-heading" class="page reminders">
    <h1 id="reminders-heading">Reminders</h1>
    {!notificationsAvailable.value ? (
      <p class="notice" role="status">
        Reminders are not available on this server yet. Reminder times you set on tasks are kept and will be
        delivered once they are.
      </p>
    ) : (
      <>
        <BrowserNotificationsSwitch />
        <Scheduled />
        <Delivered />
      </>
    )}
  </section>
)
