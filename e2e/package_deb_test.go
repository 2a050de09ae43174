// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The .deb, in two tests. TestDebPackage reads it without installing it,
// as any user: its control fields, conffiles and maintainer scripts, every
// file with its mode and owner, the unit (systemd-analyze verify) and the
// shipped configuration run with the packaged binary. TestDebInstall installs
// it for real with dpkg, upgrades it to a newer build, removes and purges it,
// checking every step against what the package promises
// (packaging/scripts/); it does so only in a private root: the test binary
// re-runs itself in a mount namespace of its own where /etc, /usr and /var
// are copy-on-write overlays whose changes land in a temporary directory, and
// /run is empty (no running systemd to talk to). Nothing of the machine
// changes, an installed otelcol-twingate included. That needs root; without
// it the test is skipped with the command to run, or fails when
// OTELCOL_TWINGATE_INSTALL_TESTS=1 (.ci/run) requires it.

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
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

// debEntry is one entry of the .deb's data, as dpkg-deb --contents lists it.
type debEntry struct{ mode, owner string }

// debContents lists the .deb's data by absolute path.
func debContents(t *testing.T, deb string) map[string]debEntry {
	t.Helper()
	entries := map[string]debEntry{}
	for _, line := range strings.Split(strings.TrimSpace(output(t, "dpkg-deb", "--contents", deb)), "\n") {
		f := strings.Fields(line)
		require.GreaterOrEqual(t, len(f), 6, line)
		p := "/" + strings.Trim(strings.TrimPrefix(f[5], "."), "/")
		entries[p] = debEntry{mode: f[0], owner: f[1]}
	}
	return entries
}

// TestDebPackage: everything about the .deb that needs no installation.
func TestDebPackage(t *testing.T) {
	deb := artifact(t, "OTELCOL_TWINGATE_DEB")
	tool(t, "dpkg-deb", "dpkg")
	analyze := tool(t, "systemd-analyze", "systemd")
	version := distVersion(t)

	field := func(name string) string { return strings.TrimSpace(output(t, "dpkg-deb", "--field", deb, name)) }
	assert.Equal(t, pkgName, field("Package"))
	assert.Equal(t, version, field("Version"), "the version of builder-config.yaml")
	assert.Equal(t, elfMachine(t, builtBinary(t, field("Architecture"))), field("Architecture"))
	assert.Equal(t, "systemd, passwd", field("Depends"), "journalctl, useradd")
	assert.Contains(t, field("Description"), "OTLP_ENDPOINT", "the description says how to start it")

	// The files, their modes and owners: those of packageFiles, and no
	// others but their parent directories.
	contents := debContents(t, deb)
	for p, mode := range packageFiles {
		if assert.Contains(t, contents, p) {
			assert.Equal(t, mode.String(), contents[p].mode, "mode of %s", p)
			assert.Contains(t, []string{"root/root", "0/0"}, contents[p].owner, "owner of %s", p)
		}
	}
	for p, e := range contents {
		if _, ok := packageFiles[p]; !ok {
			assert.True(t, strings.HasPrefix(e.mode, "d"), "%s is not a file of the package", p)
		}
	}
	conffiles := strings.Fields(output(t, "dpkg-deb", "--info", deb, "conffiles"))
	assert.ElementsMatch(t, packageConfigFiles, conffiles, "conffiles")
	for member, script := range map[string]string{"preinst": "preinstall.sh", "postinst": "postinstall.sh", "prerm": "preremove.sh", "postrm": "postremove.sh"} {
		assert.Equal(t, readString(t, filepath.Join(repoRoot, "packaging", "scripts", script)),
			output(t, "dpkg-deb", "--info", deb, member), "%s is packaging/scripts/%s", member, script)
	}

	// The files' contents: copies of this checkout's, and the collector make
	// built.
	root := t.TempDir()
	output(t, "dpkg-deb", "--extract", deb, root)
	for p, src := range packageSources {
		assert.Equal(t, readString(t, filepath.Join(repoRoot, src)), readString(t, filepath.Join(root, p)), "%s is %s", p, src)
	}
	bin := filepath.Join(root, "usr/bin/otelcol-twingate")
	assert.Equal(t, sha256File(t, builtBinary(t, elfMachine(t, bin))), sha256File(t, bin))
	assert.Contains(t, output(t, bin, "--version"), version)

	// The unit: systemd-analyze has nothing to say about it (it also checks
	// that ExecStart's binary exists: the extracted one stands in for
	// /usr/bin/otelcol-twingate), and it runs what the package installs.
	unit := readString(t, filepath.Join(root, pkgUnit))
	assert.Equal(t, "/usr/bin/otelcol-twingate --config="+pkgConfig, unitKey(unit, "ExecStart"))
	assert.Equal(t, pkgEnvFile, unitKey(unit, "EnvironmentFile"))
	assert.Equal(t, pkgUser, unitKey(unit, "User"))
	assert.Contains(t, strings.Fields(unitKey(unit, "SupplementaryGroups")), "systemd-journal")
	assert.Equal(t, pkgStateDir, "/var/lib/"+unitKey(unit, "StateDirectory"))
	config := filepath.Join(root, pkgConfig)
	assert.Equal(t, pkgStateDir, dig(readYAML(t, config), "extensions", "file_storage", "directory"), "the journal cursor lives in the StateDirectory")
	localUnit := filepath.Join(t.TempDir(), "otelcol-twingate.service")
	local := strings.NewReplacer("/usr/bin/otelcol-twingate", bin, pkgEnvFile, filepath.Join(root, pkgEnvFile)).Replace(unit)
	require.NoError(t, os.WriteFile(localUnit, []byte(local), 0o600))
	out := output(t, analyze, "verify", localUnit)
	assert.Empty(t, out, "systemd-analyze verify %s", pkgUnit)

	// Not configured yet: the unit's ExecCondition skips a start (exit 1, not
	// a failure), and the configuration would indeed not validate.
	unconfigured := envFile(t, filepath.Join(root, pkgEnvFile))
	msg, code := execCondition(t, unit, unconfigured)
	assert.Equal(t, 1, code, "ExecCondition with the shipped environment file:\n%s", msg)
	assert.Contains(t, msg, "OTLP_ENDPOINT is empty in "+pkgEnvFile)
	validate := func(env []string) (string, error) {
		cmd := exec.Command(bin, "validate", "--config="+config)
		cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := validate(unconfigured)
	require.Error(t, err, "validated without an endpoint:\n%s", out)

	// Configured as docs/install.md says: the ExecCondition lets it start, and
	// the packaged binary validates the packaged configuration.
	configured := append(slices.Clone(unconfigured), "OTLP_ENDPOINT=https://otlp.example.com", "OTLP_AUTHORIZATION=Bearer example-token")
	msg, code = execCondition(t, unit, configured)
	assert.Equal(t, 0, code, "ExecCondition with an endpoint:\n%s", msg)
	out, err = validate(configured)
	require.NoError(t, err, "otelcol-twingate validate:\n%s", out)
}

// installTestsEnv, set to 1, makes TestDebInstall fail instead of skip when
// it cannot run (.ci/run sets it).
const installTestsEnv = "OTELCOL_TWINGATE_INSTALL_TESTS"

// privateRootEnv is set in the test binary that TestDebInstall re-runs in its
// private root: the directory of the overlays' upper layers.
const privateRootEnv = "OTELCOL_TWINGATE_PRIVATE_ROOT"

// privateRootScript mounts the overlays and the empty /run, then runs its
// arguments. unshare gives it a mount namespace of its own whose mounts do
// not propagate to the machine's.
const privateRootScript = `set -e
root=$1; shift
for d in etc usr var; do
  mkdir -p "$root/$d.upper" "$root/$d.work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$root/$d.upper,workdir=$root/$d.work" "/$d"
done
mount -t tmpfs -o mode=0755 tmpfs /run
exec "$@"
`

// TestDebInstall installs, upgrades, removes and purges the .deb with dpkg in
// a private root (see the top of this file).
func TestDebInstall(t *testing.T) {
	deb := artifact(t, "OTELCOL_TWINGATE_DEB")
	upgrade := artifact(t, "OTELCOL_TWINGATE_DEB_UPGRADE")
	if os.Getenv(privateRootEnv) == "" {
		runInPrivateRoot(t)
		return
	}
	debInstallCycle(t, deb, upgrade)
}

// runInPrivateRoot re-runs TestDebInstall in a private root and reports its
// outcome.
func runInPrivateRoot(t *testing.T) {
	why := ""
	switch {
	case os.Geteuid() != 0:
		why = "needs root for its private root (a mount namespace with overlays on /etc, /usr, /var; the machine is not changed)"
	default:
		if _, err := exec.LookPath("unshare"); err != nil {
			why = "needs unshare (Debian package util-linux)"
		}
	}
	if why != "" {
		msg := "TestDebInstall (install, upgrade, remove, purge of the .deb) " + why + ": run `make test` as root, or set " + installTestsEnv + "=1 to make this a failure"
		if os.Getenv(installTestsEnv) == "1" {
			t.Fatal(msg)
		}
		// Printed as well: go test shows a skip's reason only with -v.
		fmt.Println("note: " + msg)
		t.Skip(msg)
	}
	if status := dpkgStatus(t); status != "" && status != "not-installed" {
		fmt.Printf("note: otelcol-twingate is %s on this machine: TestDebInstall works on a copy of it in its private root and leaves it untouched\n", status)
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	upper := t.TempDir()
	cmd := exec.Command("unshare", "--mount", "--propagation=private", "--", "/bin/sh", "-c", privateRootScript, "sh", upper,
		exe, "-test.run=^TestDebInstall$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), privateRootEnv+"="+upper)
	out, err := cmd.CombinedOutput()
	t.Logf("in a private root (changes in %s, discarded):\n%s", upper, out)
	require.NoError(t, err, "TestDebInstall in its private root failed")
	require.Contains(t, string(out), "--- PASS: TestDebInstall", "TestDebInstall did not run in its private root")
}

// requirePrivateRoot stops the test unless /etc, /usr and /var are overlays
// and /run a tmpfs in this mount namespace: privateRootEnv alone must never
// let it purge the machine's package.
func requirePrivateRoot(t *testing.T) {
	t.Helper()
	mountinfo, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	fsType := map[string]string{}
	for _, line := range strings.Split(string(mountinfo), "\n") {
		// id parent major:minor root mountpoint options... - fstype source options
		pre, post, ok := strings.Cut(line, " - ")
		if f, g := strings.Fields(pre), strings.Fields(post); ok && len(f) >= 5 && len(g) >= 1 {
			fsType[f[4]] = g[0] // the last mount of a mount point is the visible one
		}
	}
	for dir, want := range map[string]string{"/etc": "overlay", "/usr": "overlay", "/var": "overlay", "/run": "tmpfs"} {
		require.Equal(t, want, fsType[dir], "%s is set but %s is not a private %s: refusing to install", privateRootEnv, dir, want)
	}
}

// debInstallCycle is the install test proper; it runs in the private root,
// where it may install and remove as it likes.
func debInstallCycle(t *testing.T, deb, upgrade string) {
	requirePrivateRoot(t)
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
