// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The .deb installed for real on this machine with dpkg (root: CI runs as
// root), then upgraded to a newer build, removed and purged; every step is
// checked against what the package promises (packaging/scripts/). The test
// purges the package and deletes the user it created when it ends, and
// starts by doing the same if a previous run left them behind.

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	pkgName      = "otelcol-twingate"
	pkgUser      = "otelcol-twingate"
	pkgUserGECOS = "otelcol-twingate collector" // packaging/scripts/preinstall.sh
	pkgStateDir  = "/var/lib/otelcol-twingate"
	pkgConfigDir = "/etc/otelcol-twingate"
	pkgConfig    = "/etc/otelcol-twingate/config.yaml"
	pkgEnvFile   = "/etc/otelcol-twingate/otelcol-twingate.env"
	pkgUnit      = "/usr/lib/systemd/system/otelcol-twingate.service"
	pkgEnabled   = "/etc/systemd/system/multi-user.target.wants/otelcol-twingate.service"
)

// dpkgStatus is the package's dpkg status ("installed", "config-files"), or
// "" when dpkg does not know it.
func dpkgStatus(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f=${db:Status-Status}", pkgName).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// dpkg runs dpkg without a terminal (a conffile prompt fails it).
func dpkg(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("dpkg", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "dpkg %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// cleanUpDeb purges the package and deletes the user its preinst created
// (recognized by its comment), so that every run starts from scratch.
func cleanUpDeb(t *testing.T) {
	t.Helper()
	if dpkgStatus(t) != "" && dpkgStatus(t) != "not-installed" {
		dpkg(t, "--purge", pkgName)
	}
	if u, err := user.Lookup(pkgUser); err == nil && u.Name == pkgUserGECOS {
		out, err := exec.Command("userdel", pkgUser).CombinedOutput()
		require.NoError(t, err, "userdel: %s", out)
	}
	if _, err := user.LookupGroup(pkgUser); err == nil {
		_ = exec.Command("groupdel", pkgUser).Run()
	}
}

// requireMode checks a path's type, permissions and owner.
func requireMode(t *testing.T, p string, mode fs.FileMode, owner string) {
	t.Helper()
	fi, err := os.Lstat(p)
	require.NoError(t, err)
	assert.Equal(t, mode.String(), (fi.Mode() & (fs.ModeType | fs.ModePerm | fs.ModeSticky)).String(), "mode of %s", p)
	u, err := user.Lookup(owner)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, u.Uid, strconv.FormatUint(uint64(st.Uid), 10), "owner of %s", p)
	assert.Equal(t, u.Gid, strconv.FormatUint(uint64(st.Gid), 10), "group of %s (the owner's group)", p)
}

func requireAbsent(t *testing.T, p, why string) {
	t.Helper()
	_, err := os.Lstat(p)
	assert.ErrorIs(t, err, fs.ErrNotExist, "%s should be gone: %s", p, why)
}

func readString(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

// envFile reads KEY=VALUE lines as systemd's EnvironmentFile= does for
// these simple values.
func envFile(t *testing.T, p string) []string {
	t.Helper()
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	var env []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") || !strings.Contains(line, "=") {
			continue
		}
		env = append(env, line)
	}
	require.NoError(t, s.Err())
	return env
}

// unitKey returns the value of a key of the [Service] section (the last one
// when repeated).
func unitKey(unit, key string) string {
	var v string
	for _, line := range strings.Split(unit, "\n") {
		if rest, ok := strings.CutPrefix(line, key+"="); ok {
			v = rest
		}
	}
	return v
}

// execCondition runs the unit's ExecCondition= command line as systemd
// would (after its $$ -> $ unescaping) with env and returns its output and
// exit status.
func execCondition(t *testing.T, unit string, env []string) (string, int) {
	t.Helper()
	line := unitKey(unit, "ExecCondition")
	require.NotEmpty(t, line, "the unit has no ExecCondition")
	cmd := exec.Command("/bin/sh", "-c", strings.ReplaceAll(line, "$$", "$"))
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	require.NoError(t, err)
	return string(out), 0
}

// validateAsServiceUser runs the installed binary on the installed
// configuration as the service's user, with env as its environment.
func validateAsServiceUser(t *testing.T, env []string) (string, error) {
	t.Helper()
	cmd := exec.Command(tool(t, "setpriv", "util-linux"), "--reuid="+pkgUser, "--regid="+pkgUser, "--init-groups",
		"/usr/bin/otelcol-twingate", "validate", "--config="+pkgConfig)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDebPackage(t *testing.T) {
	deb := artifact(t, "OTELCOL_TWINGATE_DEB")
	upgrade := artifact(t, "OTELCOL_TWINGATE_DEB_UPGRADE")
	if os.Geteuid() != 0 {
		t.Fatal("TestDebPackage installs the .deb with dpkg and needs root (CI runs as root): run `make test` as root")
	}
	tool(t, "dpkg", "dpkg")
	analyze := tool(t, "systemd-analyze", "systemd")
	systemctl := tool(t, "systemctl", "systemd")
	version := distVersion(t)
	cleanUpDeb(t)
	t.Cleanup(func() { cleanUpDeb(t) })

	// Install: the user and the state directory are created, the unit
	// enabled but not started, and the installer says why.
	_, err := user.Lookup(pkgUser)
	require.Error(t, err, "the user exists before the package is installed")
	out := dpkg(t, "--install", deb)
	assert.Contains(t, out, "enabled but not started: OTLP_ENDPOINT is empty in "+pkgEnvFile)
	assert.Equal(t, "installed", dpkgStatus(t))
	assert.Equal(t, version, output(t, "dpkg-query", "-W", "-f=${Version}", pkgName), "the version of builder-config.yaml")
	for _, c := range packageConfigFiles {
		assert.Contains(t, output(t, "dpkg-query", "-W", "-f=${Conffiles}", pkgName), " "+c+" ", "a conffile")
	}

	for p, mode := range packageFiles {
		requireMode(t, p, mode, "root")
	}
	for p, src := range packageSources {
		assert.Equal(t, readString(t, filepath.Join(repoRoot, src)), readString(t, p), "%s is %s", p, src)
	}
	assert.Equal(t, sha256File(t, builtBinary(t, elfMachine(t, "/usr/bin/otelcol-twingate"))), sha256File(t, "/usr/bin/otelcol-twingate"))
	assert.Contains(t, output(t, "/usr/bin/otelcol-twingate", "--version"), version)

	u, err := user.Lookup(pkgUser)
	require.NoError(t, err, "preinst creates the user")
	assert.Equal(t, pkgUserGECOS, u.Name)
	assert.Equal(t, pkgStateDir, u.HomeDir)
	passwd := strings.Split(strings.TrimSpace(output(t, "getent", "passwd", pkgUser)), ":")
	assert.Equal(t, "/usr/sbin/nologin", passwd[6], "no login shell")
	assert.Less(t, len(u.Uid), 4, "a system uid (below 1000): %s", u.Uid)
	assert.Contains(t, strings.Fields(output(t, "id", "-nG", pkgUser)), "systemd-journal", "the user reads the journal")
	requireMode(t, pkgStateDir, fs.ModeDir|0o700, pkgUser)

	assert.Equal(t, "enabled", strings.TrimSpace(output(t, systemctl, "is-enabled", pkgName)))
	target, err := os.Readlink(pkgEnabled)
	require.NoError(t, err, "enabled in multi-user.target")
	assert.Equal(t, "otelcol-twingate.service", filepath.Base(target))

	// The unit: systemd-analyze has nothing to say about it (it also checks
	// that ExecStart's binary exists), and it runs what the package installs.
	out = output(t, analyze, "verify", pkgUnit)
	assert.Empty(t, out, "systemd-analyze verify %s", pkgUnit)
	unit := readString(t, pkgUnit)
	assert.Equal(t, "/usr/bin/otelcol-twingate --config="+pkgConfig, unitKey(unit, "ExecStart"))
	assert.Equal(t, pkgEnvFile, unitKey(unit, "EnvironmentFile"))
	assert.Equal(t, pkgUser, unitKey(unit, "User"))
	assert.Contains(t, strings.Fields(unitKey(unit, "SupplementaryGroups")), "systemd-journal")
	assert.Equal(t, pkgStateDir, "/var/lib/"+unitKey(unit, "StateDirectory"))
	assert.Equal(t, pkgStateDir, dig(readYAML(t, pkgConfig), "extensions", "file_storage", "directory"), "the journal cursor lives in the StateDirectory")

	// Not configured yet: the unit's ExecCondition skips a start (exit 1, not
	// a failure), and the configuration would indeed not validate.
	unconfigured := envFile(t, pkgEnvFile)
	msg, code := execCondition(t, unit, unconfigured)
	assert.Equal(t, 1, code, "ExecCondition with the shipped environment file:\n%s", msg)
	assert.Contains(t, msg, "OTLP_ENDPOINT is empty in "+pkgEnvFile)
	out, err = validateAsServiceUser(t, unconfigured)
	require.Error(t, err, "validated without an endpoint:\n%s", out)

	// Configured as docs/install.md says: the ExecCondition lets it start, and
	// the installed binary, run as the service's user, validates the
	// installed configuration with the environment file's values.
	env := readString(t, pkgEnvFile)
	env = strings.Replace(env, "\nOTLP_ENDPOINT=\n", "\nOTLP_ENDPOINT=https://otlp.example.com\n", 1)
	env = strings.Replace(env, "\nOTLP_AUTHORIZATION=\n", "\nOTLP_AUTHORIZATION=Bearer example-token\n", 1)
	require.NoError(t, os.WriteFile(pkgEnvFile, []byte(env), 0o600))
	configured := envFile(t, pkgEnvFile)
	require.Contains(t, configured, "OTLP_ENDPOINT=https://otlp.example.com")
	msg, code = execCondition(t, unit, configured)
	assert.Equal(t, 0, code, "ExecCondition with an endpoint:\n%s", msg)
	out, err = validateAsServiceUser(t, configured)
	require.NoError(t, err, "otelcol-twingate validate as %s:\n%s", pkgUser, out)

	// Upgrade to a newer build: local edits and the state survive, and the
	// administrator's choice to disable the unit holds.
	config := strings.Replace(readString(t, pkgConfig), "limit_mib: 200", "limit_mib: 180", 1)
	require.Contains(t, config, "limit_mib: 180")
	require.NoError(t, os.WriteFile(pkgConfig, []byte(config), 0o644))
	checkpoint := filepath.Join(pkgStateDir, "checkpoint")
	require.NoError(t, os.WriteFile(checkpoint, []byte("cursor"), 0o600))
	output(t, systemctl, "disable", pkgName)
	out = dpkg(t, "--install", upgrade)
	assert.NotContains(t, out, "OTLP_ENDPOINT is empty", "the endpoint is set")
	assert.Equal(t, version+"+upgrade", output(t, "dpkg-query", "-W", "-f=${Version}", pkgName))
	assert.Equal(t, config, readString(t, pkgConfig), "the upgrade keeps the edited configuration")
	assert.Equal(t, env, readString(t, pkgEnvFile), "the upgrade keeps the environment file")
	requireMode(t, pkgEnvFile, 0o600, "root")
	leftovers, err := filepath.Glob(pkgConfigDir + "/*.dpkg-*")
	require.NoError(t, err)
	assert.Empty(t, leftovers, "no conffile prompt or copy")
	assert.Equal(t, "cursor", readString(t, checkpoint))
	requireMode(t, pkgStateDir, fs.ModeDir|0o700, pkgUser)
	// is-enabled exits 1 for a disabled unit.
	state, _ := exec.Command(systemctl, "is-enabled", pkgName).Output()
	assert.Equal(t, "disabled", strings.TrimSpace(string(state)), "an upgrade does not re-enable a disabled unit")
	out, err = validateAsServiceUser(t, configured)
	require.NoError(t, err, "the upgraded binary validates the kept configuration:\n%s", out)

	// Remove: the program goes, configuration, state, user and enablement
	// stay (a reinstall picks up where it was).
	output(t, systemctl, "enable", pkgName)
	dpkg(t, "--remove", pkgName)
	assert.Equal(t, "config-files", dpkgStatus(t))
	requireAbsent(t, "/usr/bin/otelcol-twingate", "removed with the package")
	requireAbsent(t, pkgUnit, "removed with the package")
	assert.Equal(t, config, readString(t, pkgConfig), "remove keeps the configuration")
	assert.Equal(t, env, readString(t, pkgEnvFile), "remove keeps the environment file")
	assert.Equal(t, "cursor", readString(t, checkpoint), "remove keeps the state")
	_, err = os.Lstat(pkgEnabled)
	assert.NoError(t, err, "remove keeps the enablement until purge")
	_, err = user.Lookup(pkgUser)
	assert.NoError(t, err, "remove keeps the user")

	// Purge: configuration, state and enablement go; the user stays (files
	// elsewhere may belong to it), as postremove.sh says.
	dpkg(t, "--purge", pkgName)
	assert.Contains(t, []string{"", "not-installed"}, dpkgStatus(t))
	requireAbsent(t, pkgConfigDir, "purge deletes the configuration")
	requireAbsent(t, pkgStateDir, "purge deletes the state")
	requireAbsent(t, pkgEnabled, "purge deletes the enablement")
	_, err = user.Lookup(pkgUser)
	assert.NoError(t, err, "purge keeps the user")
}
