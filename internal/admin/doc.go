// Package admin is Synod's HTTP edge for operators: the AdminServer of
// ZooKeeper 3.5+ (JSON commands under admin.commandURL, by default
// http://0.0.0.0:8080/commands) and the Prometheus endpoint of
// ZooKeeper 3.8's PrometheusMetricsProvider (http://0.0.0.0:7000/metrics).
//
// The package owns the HTTP handlers and the JSON shapes; the numbers come
// from the read-only accessors of internal/server (Server.Monitor,
// Server.Stats, ...), the same ones the four-letter words print, so the
// three views of a server never disagree.
//
// The shapes follow ZooKeeper 3.8.0 as measured against Debian's
// zookeeper 3.8.0 (see differential_test.go): every response is a JSON
// object with the command's own fields, then "command" (the primary name)
// and "error" (null, or a message). Unknown commands answer 200 with an
// error message, as ZooKeeper's CommandServlet does.
package admin
