// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"
)

// relay is the kafka_otlp_relay receiver: a cycle polls up to
// max_poll_records messages, relays each partition's messages as
// concatenated OTLP/HTTP requests (partitions in parallel, a partition's
// requests in order), and commits the poll's offsets once every record was
// taken: by the backend, or by the pipeline for what the backend refused
// for good or what is not OTLP. Nothing is committed before that, so a relay
// killed at any point leaves its uncommitted messages to the partitions'
// next owner, and no disk queue is needed: Kafka is the buffer.
type relay struct {
	cfg  *Config
	set  receiver.Settings
	next consumer.Logs
	tel  *telemetry

	client  *kgo.Client
	sender  *sender
	payload payload
	decode  decoder
	// requests holds *request for reuse.
	requests sync.Pool

	// stop is closed by Shutdown: the cycle under way finishes what
	// succeeds at once, but retries nothing, and commits only what it
	// finished completely.
	stop chan struct{}
	// cancelPoll ends a poll that waits for messages; cancelSend ends
	// the requests of the cycle under way (Shutdown's deadline).
	cancelPoll, cancelSend context.CancelFunc
	done                   chan struct{}
}

func newRelay(set receiver.Settings, cfg *Config, next consumer.Logs) (*relay, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &relay{cfg: cfg, set: set, next: next, tel: tel}, nil
}

func (r *relay) Start(ctx context.Context, host component.Host) error {
	httpClient, err := r.cfg.OTLP.ToClient(ctx, host.GetExtensions(), r.set.TelemetrySettings)
	if err != nil {
		return err
	}
	r.payload, r.decode, err = codecFor(r.cfg.Encoding, host.GetExtensions())
	if err != nil {
		return err
	}
	r.sender, err = newSender(httpClient, r.cfg)
	if err != nil {
		return err
	}
	opts, err := kafkaOptions(ctx, r.cfg, r.set.Logger)
	if err != nil {
		return err
	}
	r.client, err = kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	r.requests.New = func() any { return newRequest(r.cfg.Request.MaxBytes) }
	pollCtx, cancelPoll := context.WithCancel(context.Background())
	sendCtx, cancelSend := context.WithCancel(context.Background())
	r.cancelPoll, r.cancelSend = cancelPoll, cancelSend
	r.done = make(chan struct{})
	r.stop = make(chan struct{})
	go func() {
		defer close(r.done)
		r.run(pollCtx, sendCtx)
	}()
	return nil
}

// shutdownGrace is how long Shutdown lets the cycle under way finish
// (requests that succeed at once) before it cancels them.
const shutdownGrace = 5 * time.Second

// Shutdown lets the cycle under way finish, for shutdownGrace at most or
// until ctx ends, then leaves the group. What it did not commit is relayed
// again by the partitions' next owner.
func (r *relay) Shutdown(ctx context.Context) error {
	if r.done == nil {
		return nil
	}
	close(r.stop)
	r.cancelPoll()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-r.done:
	case <-ctx.Done():
		r.cancelSend()
		<-r.done
	case <-grace.C:
		r.cancelSend()
		<-r.done
	}
	r.cancelSend()
	r.client.Close()
	return nil
}

func (r *relay) run(pollCtx, sendCtx context.Context) {
	for !stopped(r.stop) {
		fetches := r.client.PollRecords(pollCtx, r.cfg.MaxPollRecords)
		if fetches.IsClientClosed() || pollCtx.Err() != nil {
			r.client.AllowRebalance()
			return
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			r.set.Logger.Warn("Kafka fetch failed", zap.String("topic", topic), zap.Int32("partition", partition), zap.Error(err))
		})
		// One slice per partition, in offset order: a poll may hold several
		// fetches of a partition, and a partition must be relayed, and
		// committed, by one goroutine in order, or a commit could pass over
		// messages that were not relayed.
		var parts [][]*kgo.Record
		index := map[int32]int{}
		fetches.EachPartition(func(p kgo.FetchTopicPartition) {
			if len(p.Records) == 0 {
				return
			}
			i, ok := index[p.Partition]
			if !ok {
				i = len(parts)
				index[p.Partition] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], p.Records...)
		})
		if len(parts) == 0 {
			r.client.AllowRebalance()
			continue
		}
		// The backend has the records up to each of relayed: a failed commit
		// only means the next owner relays them again. Of a partition the
		// relay did not finish (it is stopping), only the messages before
		// the first one not taken are committed.
		relayed, all := r.relayPartitions(sendCtx, parts)
		if len(relayed) > 0 {
			if err := r.client.CommitRecords(sendCtx, relayed...); err != nil {
				r.set.Logger.Warn("Kafka offset commit failed; the partitions' next owner relays these messages again",
					zap.Int("messages", len(relayed)), zap.Error(err))
			}
		}
		r.client.AllowRebalance()
		if !all {
			return
		}
	}
}

// relayPartitions relays each partition's messages in its own goroutine. It
// returns, of every partition, the last message up to which all were taken
// (what to commit), and whether every message of every partition was.
func (r *relay) relayPartitions(ctx context.Context, parts [][]*kgo.Record) (relayed []*kgo.Record, all bool) {
	last := make([]*kgo.Record, len(parts))
	done := make([]bool, len(parts))
	if len(parts) == 1 {
		last[0], done[0] = r.relayPartition(ctx, parts[0])
	} else {
		var wg sync.WaitGroup
		for i, recs := range parts {
			wg.Go(func() { last[i], done[i] = r.relayPartition(ctx, recs) })
		}
		wg.Wait()
	}
	all = true
	for i := range parts {
		if last[i] != nil {
			relayed = append(relayed, last[i])
		}
		all = all && done[i]
	}
	return relayed, all
}

// relayPartition sends a partition's messages in order, as requests of up
// to request::max_bytes; a message that cannot be decoded (for otlp_proto:
// is not a well-formed OTLP request) goes to the pipeline as a flagged
// record instead. It returns the last message up to which all were taken
// (nil if none), and whether that is the last of recs.
func (r *relay) relayPartition(ctx context.Context, recs []*kgo.Record) (last *kgo.Record, done bool) {
	req := r.requests.Get().(*request)
	defer func() {
		req.reset()
		r.requests.Put(req)
	}()
	// taken moves last over the messages before recs[i], all taken.
	taken := func(i int) {
		if i > 0 {
			last = recs[i-1]
		}
	}
	flush := func() bool {
		if req.empty() {
			return true
		}
		ok := r.deliver(ctx, req)
		req.reset()
		return ok
	}
	for i, rec := range recs {
		body, n, err := r.payload(rec.Value)
		switch {
		case err != nil:
			if !flush() {
				return last, false
			}
			taken(i)
			if !r.handOver(ctx, r.flaggedLogs(rec, err), rec) {
				return last, false
			}
			r.tel.messages(ctx, outcomeMalformed, 1)
			taken(i + 1)
			continue
		case n == 0:
			r.tel.messages(ctx, outcomeEmpty, 1)
			if req.empty() {
				taken(i + 1)
			}
			continue
		}
		if !req.fits(body) {
			if !flush() {
				return last, false
			}
			taken(i)
		}
		req.add(rec, body, n)
	}
	if !flush() {
		return last, false
	}
	return recs[len(recs)-1], true
}

// deliver sends req, retrying what the backend refuses for now; what it
// refuses for good (or past retry_on_failure's max_elapsed_time) goes to the
// pipeline message by message, where each is decoded and exported or,
// failing that, counted and logged.
func (r *relay) deliver(ctx context.Context, req *request) bool {
	err := r.sender.sendWithRetry(ctx, req, r.cfg.RetryOnFailure, r.stop, r.tel, r.set.Logger)
	switch {
	case err == nil:
		r.tel.records(ctx, outcomeRelayed, req.records)
		r.tel.messages(ctx, outcomeRelayed, len(req.msgs))
		return true
	case errors.Is(err, errStopped) || ctx.Err() != nil:
		return false
	}
	r.set.Logger.Warn("The backend refused a relayed request; its messages go through the pipeline one by one",
		zap.Int("messages", len(req.msgs)), zap.Int("log_records", req.records), zap.Error(err))
	for _, rec := range req.msgs {
		if !r.handOver(ctx, r.decodeOrFlag(rec), rec) {
			return false
		}
		r.tel.messages(ctx, outcomeHandedOver, 1)
	}
	return true
}
