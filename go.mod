module livechat

go 1.26.8

require (
	github.com/coder/websocket v1.8.15
	github.com/maxence-charriere/go-app/v9 v9.8.0
	go.uber.org/goleak v1.3.0
	golang.org/x/text v0.44.0
)

require github.com/google/uuid v1.3.0 // indirect
