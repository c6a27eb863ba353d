// kfake: a Kafka-protocol broker for the real-sidecar tests and `npm run start:dapr` (franz-go's kfake package,
// built by scripts/go-tools.sh). One broker on 127.0.0.1, SASL on with one superuser, topics created on first use.
// With -data-dir it keeps its log, topics and consumer-group offsets across restarts, like a real broker; SIGTERM
// or SIGINT closes it cleanly (state written), SIGKILL loses at most what -sync would have forced to disk.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port := flag.Int("port", 0, "port to listen on (127.0.0.1); 0 picks a free one")
	mechanism := flag.String("mechanism", "SCRAM-SHA-512", "SASL mechanism of the user: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN")
	user := flag.String("user", "todo", "SASL user name")
	password := flag.String("password", "", "SASL password (or KFAKE_PASSWORD); required")
	partitions := flag.Int("partitions", 3, "partitions of a topic created on first use")
	dataDir := flag.String("data-dir", "", "keep state in this directory across restarts (empty: in memory)")
	sync := flag.Bool("sync", false, "fsync every produce (with -data-dir): nothing acknowledged is lost on SIGKILL")
	logLevel := flag.String("log-level", "none", "log to stderr: none, error, warn, info or debug")
	flag.Parse()

	pass := *password
	if pass == "" {
		pass = os.Getenv("KFAKE_PASSWORD")
	}
	if pass == "" {
		fmt.Fprintln(os.Stderr, "kfake: a SASL password is required: -password or KFAKE_PASSWORD")
		os.Exit(2)
	}
	switch *mechanism {
	case "SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN":
	default:
		fmt.Fprintf(os.Stderr, "kfake: unknown SASL mechanism %q (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN)\n", *mechanism)
		os.Exit(2)
	}

	levels := map[string]kfake.LogLevel{
		"none": kfake.LogLevelNone, "error": kfake.LogLevelError, "warn": kfake.LogLevelWarn,
		"info": kfake.LogLevelInfo, "debug": kfake.LogLevelDebug,
	}
	level, ok := levels[*logLevel]
	if !ok {
		fmt.Fprintf(os.Stderr, "kfake: unknown log level %q (none, error, warn, info, debug)\n", *logLevel)
		os.Exit(2)
	}

	opts := []kfake.Opt{
		kfake.WithLogger(kfake.BasicLogger(os.Stderr, level)),
		kfake.NumBrokers(1),
		kfake.Ports(*port),
		kfake.ClusterID("todo-kfake"),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(*partitions),
		kfake.EnableSASL(),
		kfake.Superuser(*mechanism, *user, pass),
	}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir))
		if *sync {
			opts = append(opts, kfake.SyncWrites())
		}
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kfake: cannot start: %v\n", err)
		os.Exit(1)
	}
	// The harness waits for this line: the broker accepts connections once it is printed.
	fmt.Printf("kfake listening on %s\n", cluster.ListenAddrs()[0])

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
	cluster.Close()
}
