package storage

import (
	"io"
	"log/slog"
	"runtime"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func runtimeGosched() { runtime.Gosched() }
