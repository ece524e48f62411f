using System.Diagnostics;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Storage.Sqlite.Tests.Hosting;

/// <summary><see cref="DataDirectoryLock"/>: leases within a process, refusal while another process holds the
/// directory (util-linux <c>flock</c>, the same OS lock, in a real second process), and no refusal once that process is
/// killed, though its lock file stays.</summary>
public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string LockFile => Path.Combine(_directory.Path, DataDirectoryLock.FileName);

    [Fact]
    public void The_holder_writes_its_process_id_and_host_and_leases_share_the_lock_until_the_last()
    {
        var data = Path.Combine(_directory.Path, "data"); // created by the lock
        var first = DataDirectoryLock.Acquire(data);
        var second = DataDirectoryLock.Acquire(data + Path.DirectorySeparatorChar); // the same directory, spelled differently
        Assert.Equal(Path.GetFullPath(data), first.Directory);

        var owner = DataDirectoryLock.ReadOwner(data);
        Assert.NotNull(owner);
        Assert.StartsWith($"pid={Environment.ProcessId} host={Environment.MachineName} since=", owner, StringComparison.Ordinal);

        first.Dispose();
        first.Dispose(); // once only
        Assert.True(IsLocked(Path.Combine(data, DataDirectoryLock.FileName)), "the second lease still holds the lock");
        second.Dispose();
        Assert.False(IsLocked(Path.Combine(data, DataDirectoryLock.FileName)), "the last lease released the lock");
        Assert.True(File.Exists(Path.Combine(data, DataDirectoryLock.FileName)), "the lock file stays");
    }

    [Fact]
    public void A_lock_file_nobody_holds_does_not_block_whatever_it_says()
    {
        File.WriteAllText(LockFile, "pid=1 host=elsewhere since=2020-01-01T00:00:00Z\n");
        File.WriteAllText(Path.Combine(_directory.Path, DataDirectoryLock.OwnerFileName), "pid=1 host=elsewhere since=2020-01-01T00:00:00Z\n");
        using (DataDirectoryLock.Acquire(_directory.Path))
        {
            Assert.StartsWith($"pid={Environment.ProcessId} ", DataDirectoryLock.ReadOwner(_directory.Path), StringComparison.Ordinal);
        }

        Assert.StartsWith($"pid={Environment.ProcessId} ", File.ReadAllText(LockFile), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Another_process_holding_the_lock_refuses_the_directory_and_its_death_frees_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/flock"), "needs Linux and util-linux flock (/usr/bin/flock)");
        File.WriteAllText(Path.Combine(_directory.Path, DataDirectoryLock.OwnerFileName), "pid=424242 host=other since=2026-01-01T00:00:00Z\n");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-x", LockFile, "sleep", "120"]) { UseShellExecute = false })!;
        try
        {
            await Eventually.True(() => IsLockedElsewhere(), "flock to take the lock");
            var refused = Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(_directory.Path));
            Assert.Equal(Path.GetFullPath(_directory.Path), refused.Directory);
            Assert.Equal(424242, refused.OwnerProcessId);
            Assert.Contains($"'{Path.GetFullPath(_directory.Path)}'", refused.Message, StringComparison.Ordinal);
            Assert.Contains("process 424242", refused.Message, StringComparison.Ordinal);

            // SIGKILL: the OS drops the lock; the file stays and blocks nobody.
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
            Assert.True(File.Exists(LockFile));
            // flock's `sleep` child holds the descriptor too, and may still be dying when flock itself has exited.
            await Eventually.True(() => !IsLockedElsewhere(), "the killed holder's lock to be released");
            using var taken = DataDirectoryLock.Acquire(_directory.Path);

            // Held by this process now: another process is refused (flock -n fails at once).
            using var probe = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-n", "-x", LockFile, "true"]) { UseShellExecute = false })!;
            await probe.WaitForExitAsync();
            Assert.NotEqual(0, probe.ExitCode);
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    private bool IsLockedElsewhere()
    {
        using var probe = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-n", "-x", LockFile, "true"]) { UseShellExecute = false })!;
        probe.WaitForExit();
        return probe.ExitCode != 0;
    }

    private static bool IsLocked(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
