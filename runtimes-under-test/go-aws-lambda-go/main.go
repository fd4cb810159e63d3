// The probe handler (shared/probe-contract.md) on AWS's Go runtime client, github.com/aws/aws-lambda-go,
// built the provided.al2023 way: a static binary named bootstrap.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var invocations atomic.Int64

var envKeys = []string{
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_REGION", "_HANDLER", "LAMBDA_TASK_ROOT",
}

type probeEvent struct {
	Probe        *string         `json:"probe"`
	Payload      json.RawMessage `json:"payload"`
	ErrorType    string          `json:"errorType"`
	ErrorMessage string          `json:"errorMessage"`
	Ms           int64           `json:"ms"`
	Code         int             `json:"code"`
	Bytes        int             `json:"bytes"`
	Lines        []string        `json:"lines"`
	Message      string          `json:"message"`
	Chunks       []string        `json:"chunks"`
	DelayMs      int64           `json:"delayMs"`
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// probeError reports exactly the requested errorType: aws-lambda-go passes an InvokeResponse_Error through as is.
func probeError(ev probeEvent) error {
	t := ev.ErrorType
	if t == "" {
		t = "Probe.Error"
	}
	return messages.InvokeResponse_Error{Type: t, Message: ev.ErrorMessage}
}

func handler(ctx context.Context, raw json.RawMessage) (any, error) {
	n := invocations.Add(1)
	// Not an object with a string "probe": echo the event's bytes unchanged (an io.Reader is sent as is).
	var head struct {
		Probe *string `json:"probe"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.Probe == nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return bytes.NewReader(raw), nil
	}
	// A field of an unexpected type is left at its zero value; the probe name alone selects the behaviour.
	var ev probeEvent
	_ = json.Unmarshal(raw, &ev)
	ev.Probe = head.Probe
	switch *ev.Probe {
	case "echo":
		if ev.Payload == nil {
			return nil, nil
		}
		return bytes.NewReader(ev.Payload), nil
	case "context":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		env := map[string]any{}
		for _, k := range envKeys {
			if v, ok := os.LookupEnv(k); ok {
				env[k] = v
			} else {
				env[k] = nil
			}
		}
		var clientContext, identity any
		if lc != nil {
			cc := lc.ClientContext
			if cc.Client.AppTitle != "" || cc.Client.InstallationID != "" || len(cc.Custom) > 0 || len(cc.Env) > 0 {
				clientContext = map[string]any{"client": cc.Client, "custom": cc.Custom, "env": cc.Env}
			}
			if lc.Identity.CognitoIdentityID != "" || lc.Identity.CognitoIdentityPoolID != "" {
				identity = map[string]any{"cognitoIdentityId": lc.Identity.CognitoIdentityID, "cognitoIdentityPoolId": lc.Identity.CognitoIdentityPoolID}
			}
		}
		out := map[string]any{
			"deadlineMs":    deadline.UnixMilli(),
			"remainingMs":   time.Until(deadline).Milliseconds(),
			"traceId":       nullable(os.Getenv("_X_AMZN_TRACE_ID")),
			"clientContext": clientContext,
			"identity":      identity,
			"invocation":    n,
			"pid":           os.Getpid(),
			"env":           env,
		}
		if lc != nil {
			out["requestId"] = lc.AwsRequestID
			out["functionArn"] = lc.InvokedFunctionArn
			out["tenantId"] = nullable(lc.TenantID)
		}
		return out, nil
	case "error", "stream-error":
		// No streaming in aws-lambda-go's lambda.Start: a stream-error fails before anything is sent.
		return nil, probeError(ev)
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
		return map[string]int64{"slept": ev.Ms}, nil
	case "exit":
		os.Exit(ev.Code)
	case "big":
		return strings.Repeat("a", max(ev.Bytes-2, 0)), nil
	case "log":
		for _, line := range ev.Lines {
			fmt.Println(line)
		}
		return map[string]int{"logged": len(ev.Lines)}, nil
	case "log-levels":
		// Through the client's opt-in logger (lambdacontext.NewLogger, slog): DEBUG, INFO, WARN, ERROR are its levels.
		levels := []struct {
			name  string
			level slog.Level
		}{{"DEBUG", slog.LevelDebug}, {"INFO", slog.LevelInfo}, {"WARN", slog.LevelWarn}, {"ERROR", slog.LevelError}}
		logger := lambdacontext.NewLogger()
		logged := make([]string, 0, len(levels))
		for _, l := range levels {
			logger.Log(ctx, l.level, ev.Message)
			logged = append(logged, l.name)
		}
		return map[string][]string{"logged": logged}, nil
	case "stream":
		// Buffered: produce the chunks on their schedule, return them concatenated as raw bytes.
		for i := 1; i < len(ev.Chunks); i++ {
			time.Sleep(time.Duration(ev.DelayMs) * time.Millisecond)
		}
		return strings.NewReader(strings.Join(ev.Chunks, "")), nil
	}
	return bytes.NewReader(raw), nil
}

func main() {
	if ms, err := strconv.Atoi(os.Getenv("PROBE_INIT_SLEEP_MS")); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	if os.Getenv("PROBE_INIT_FAIL") == "1" {
		// aws-lambda-go has no public init-error call: a Go function whose init fails exits.
		fmt.Fprintln(os.Stderr, "Probe.InitFailed: PROBE_INIT_FAIL=1: init fails on purpose")
		os.Exit(1)
	}
	lambda.Start(handler)
}
