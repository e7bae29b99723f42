package app

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// statusBar always shows the state of the connection, counting down to
// the next attempt while reconnecting.
type statusBar struct {
	app.Compo

	State State
	// Now tells the time; tests set it. Default: time.Now.
	Now func() time.Time
	// OnRetry asks for an attempt at once.
	OnRetry func(ctx app.Context)
}

// OnMount starts a ticker that re-renders the bar every second while it
// counts down. It is a plain goroutine, not ctx.Async, so that nothing
// waits for it, and it ends when the bar is dismounted.
func (s *statusBar) OnMount(ctx app.Context) {
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				ctx.Dispatch(func(ctx app.Context) {
					if s.State.RetryAt.IsZero() {
						ctx.PreventUpdate()
					}
				})
			}
		}
	}()
}

func (s *statusBar) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Label returns what the bar says.
func (s *statusBar) Label() string {
	st := s.State
	switch st.Status {
	case StatusConnecting:
		return "Connecting…"
	case StatusOnline:
		return "Online"
	case StatusOffline:
		if st.NoNetwork {
			return "Offline: no network"
		}
		return "Offline: " + s.retry()
	}
	return "Reconnecting" + strings.TrimPrefix(s.retry(), "retrying")
}

// retry says when the next attempt starts.
func (s *statusBar) retry() string {
	if s.State.RetryAt.IsZero() {
		return "retrying…"
	}
	secs := int(math.Ceil(s.State.RetryAt.Sub(s.now()).Seconds()))
	if secs < 1 {
		return "retrying…"
	}
	return fmt.Sprintf("retrying in %d s", secs)
}

func (s *statusBar) Render() app.UI {
	st := s.State
	detail := ""
	if st.Status != StatusOnline && st.Err != "" {
		detail = st.Err
	}
	return app.Div().
		ID("status").
		Class("status").
		Role("status").
		DataSet("status", st.Status.String()).
		Body(
			app.Span().Class("dot").Aria("hidden", true),
			app.Span().Class("label").Text(s.Label()),
			app.If(detail != "", app.Span().Class("detail").Text(" ("+detail+")")),
			app.If(!st.RetryAt.IsZero() && s.OnRetry != nil,
				app.Button().Class("link").Text("Retry now").OnClick(func(ctx app.Context, e app.Event) { s.OnRetry(ctx) })),
		)
}
