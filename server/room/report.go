//go:build !js

package room

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"livechat/server/kv"
	"livechat/shared"
)

// Reports of messages to the admins. A report is a record of its own,
// keyed by room, message and reporter, so that a person reports a message
// once, and every report of a message can be closed when it is deleted.

// Limits of reports.
const (
	// MaxOpenReports is how many reports one person may have open at
	// once: a bound on what one account can pile on the admins.
	MaxOpenReports = 50
	// MaxReportsListed is how many reports Reports returns, the newest.
	MaxReportsListed = 500
)

// Report is a message reported to the admins.
type Report struct {
	Room    string `json:"room"`
	Message uint64 `json:"message"`
	// Reporter is the account id of who reported it.
	Reporter string    `json:"reporter"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// ID names the report in the protocol: room:message:reporter.
func (r Report) ID() string {
	return r.Room + ":" + strconv.FormatUint(r.Message, 10) + ":" + r.Reporter
}

func reportKey(room string, message uint64, reporter string) string {
	return "report." + room + "." + strconv.FormatUint(message, 10) + "." + reporter
}

// parseReportID returns the key of the report id, if it can be one.
func parseReportID(id string) (key string, ok bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 3 {
		return "", false
	}
	room, reporter := parts[0], parts[2]
	message, err := strconv.ParseUint(parts[1], 10, 64)
	if _, rerr := shared.CheckRoom(room); err != nil || rerr != nil || room == "" || !validAccount(reporter) {
		return "", false
	}
	return reportKey(room, message, reporter), true
}

// AddReport records r, unless its reporter reported that message before
// (invalid_request) or has MaxOpenReports reports open (forbidden). It
// does not check that the reporter may read the message.
func (d *Directory) AddReport(ctx context.Context, r Report) error {
	if !validAccount(r.Reporter) {
		return shared.Errorf(shared.CodeNotFound, "no such person")
	}
	open, err := d.kv.Keys(ctx, "report.*.*."+r.Reporter)
	if err != nil {
		return fmt.Errorf("count open reports: %w", err)
	}
	if len(open) >= MaxOpenReports {
		return shared.Errorf(shared.CodeForbidden, "you have %d reports open: wait until the admins have looked at them", len(open))
	}
	value, _ := json.Marshal(r)
	if _, err := d.kv.Create(ctx, reportKey(r.Room, r.Message, r.Reporter), value); errors.Is(err, kv.ErrExists) {
		return shared.Errorf(shared.CodeInvalidRequest, "you reported this message already")
	} else if err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	return nil
}

// Reports returns the open reports, newest first, at most
// MaxReportsListed.
func (d *Directory) Reports(ctx context.Context) ([]Report, error) {
	keys, err := d.kv.Keys(ctx, "report.*.*.*")
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	reports := make([]Report, 0, len(keys))
	for _, k := range keys {
		value, _, err := d.kv.Get(ctx, k)
		if errors.Is(err, kv.ErrNotFound) {
			continue // closed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("read report: %w", err)
		}
		var r Report
		if err := json.Unmarshal(value, &r); err != nil {
			return nil, fmt.Errorf("read report %s: %w", k, err)
		}
		reports = append(reports, r)
	}
	slices.SortFunc(reports, func(a, b Report) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID(), b.ID())
	})
	if len(reports) > MaxReportsListed {
		reports = reports[:MaxReportsListed]
	}
	return reports, nil
}

// GetReport returns the open report id, or not_found.
func (d *Directory) GetReport(ctx context.Context, id string) (Report, error) {
	notFound := shared.Errorf(shared.CodeNotFound, "there is no open report %q", id)
	key, ok := parseReportID(id)
	if !ok {
		return Report{}, notFound
	}
	value, _, err := d.kv.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return Report{}, notFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("read report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(value, &r); err != nil {
		return Report{}, fmt.Errorf("read report: %w", err)
	}
	return r, nil
}

// CloseReport closes the report r.
func (d *Directory) CloseReport(ctx context.Context, r Report) error {
	if err := d.kv.Delete(ctx, reportKey(r.Room, r.Message, r.Reporter)); err != nil {
		return fmt.Errorf("close report: %w", err)
	}
	return nil
}

// CloseReports closes every report of the message of room (it was
// deleted).
func (d *Directory) CloseReports(ctx context.Context, room string, message uint64) error {
	keys, err := d.kv.Keys(ctx, "report."+room+"."+strconv.FormatUint(message, 10)+".*")
	if err != nil {
		return fmt.Errorf("close reports: %w", err)
	}
	for _, k := range keys {
		if err := d.kv.Delete(ctx, k); err != nil {
			return fmt.Errorf("close reports: %w", err)
		}
	}
	return nil
}
