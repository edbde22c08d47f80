package main

import (
	"fmt"

	"github.com/synod-dev/synod/internal/version"
)

func init() {
	register("version", "print the version", func([]string) error {
		fmt.Println(version.Full())
		return nil
	})
}
