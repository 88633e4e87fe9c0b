/*
 * Tells the service manager what state the process is in (sd_notify(3)):
 * "systemctl start" returns once the process serves, "systemctl reload"
 * once the reload is done, and a stop shows as "deactivating" at once.
 * Built without libsystemd (configure --without-systemd), or run outside
 * a service manager ($NOTIFY_SOCKET unset), each call does nothing.
 */
#ifndef DEPLOY_SERVICE_NOTIFY_H
#define DEPLOY_SERVICE_NOTIFY_H

/* READY=1: started, or a reload finished. */
void service_notify_ready(void);
/* RELOADING=1: a reload began; service_notify_ready() ends it. */
void service_notify_reloading(void);
/* STOPPING=1: shutting down (what is in flight may still finish). */
void service_notify_stopping(void);

#endif
