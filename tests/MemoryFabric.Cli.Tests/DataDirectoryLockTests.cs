using System.Diagnostics;
using MemoryFabric.Cli.Tests.Support;
using MemoryFabric.Client;
using MemoryFabric.Server.Tests.Support;
using MemoryFabric.Storage.Sqlite;

namespace MemoryFabric.Cli.Tests;

/// <summary>One owner per data directory, with real processes: a second <c>memfab serve</c> on a directory another one
/// serves exits non-zero within 5 s, naming the directory and the holder's process, and serves nothing; the first keeps
/// serving; a <c>--local</c> command is refused the same way; and once the holder is killed (SIGKILL, its lock file left
/// behind) the directory starts again.</summary>
public sealed class DataDirectoryLockTests
{
    [Fact]
    public async Task A_second_process_is_refused_at_once_and_a_killed_holder_never_blocks_a_restart()
    {
        using var data = new TempDirectory();
        var firstUrl = $"http://127.0.0.1:{Memfab.FreePort()}";
        await using var first = Serve(data.Path, firstUrl);
        using var http = new HttpClient { BaseAddress = new Uri(firstUrl), Timeout = TimeSpan.FromSeconds(30) };
        await first.WaitReadyAsync(patience: TimeSpan.FromMinutes(2));

        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { ApiKey = (await File.ReadAllTextAsync(data.File("admin.key"))).Trim() });
        await admin.CreateTenantAsync("acme", "Acme");
        var key = (await admin.CreateApiKeyAsync("acme", "cli")).Key;
        var client = new MemoryFabricClient(http, new MemoryFabricClientOptions { ApiKey = key });
        await client.IngestAsync("tom", [new() { Id = "t1", SessionId = "s1", Speaker = "Tom", Text = "I ran the Lisbon half marathon.", Timestamp = DateTimeOffset.Parse("2024-05-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture) }]);

        // A second server on the same directory: refused before it listens.
        var secondUrl = $"http://127.0.0.1:{Memfab.FreePort()}";
        var clock = Stopwatch.StartNew();
        await using (var second = Serve(data.Path, secondUrl))
        {
            using var probe = new HttpClient { BaseAddress = new Uri(secondUrl), Timeout = TimeSpan.FromMilliseconds(500) };
            var served = 0;
            while (!second.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri("/readyz", UriKind.Relative));
                    served++;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }

                await Task.Delay(50);
            }

            await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var elapsed = clock.Elapsed;
            Assert.True(second.HasExited, "the second server is still running:\n" + second.Output);
            Assert.NotEqual(0, second.ExitCode);
            Assert.True(elapsed < TimeSpan.FromSeconds(5), $"refused after {elapsed.TotalSeconds:F1} s");
            Assert.Equal(0, served);
            Assert.Contains($"'{Path.GetFullPath(data.Path)}'", second.Output, StringComparison.Ordinal);
            Assert.Contains($"in use by process {first.Id}", second.Output, StringComparison.Ordinal);
        }

        // The first one still serves, reads and writes.
        Assert.True(await client.IsReadyAsync());
        await client.IngestAsync("tom", [new() { Id = "t2", SessionId = "s1", Speaker = "Tom", Text = "My sister Maria came to watch.", Timestamp = DateTimeOffset.Parse("2024-05-05T10:05:00Z", System.Globalization.CultureInfo.InvariantCulture) }]);
        Assert.Equal(2, (await client.GetTurnsAsync("tom")).Count);

        // A --local command on the directory is refused the same way.
        var local = await Memfab.RunAsync(data.Local("search", "marathon", "--agent", "tom"));
        Assert.NotEqual(0, local.Code);
        Assert.Contains($"in use by process {first.Id}", local.Error, StringComparison.Ordinal);

        // SIGKILL: the lock file stays behind, and blocks nobody.
        first.Kill();
        Assert.True(File.Exists(data.File(DataDirectoryLock.FileName)));
        await using var restarted = Serve(data.Path, firstUrl);
        await restarted.WaitReadyAsync(patience: TimeSpan.FromMinutes(2));
        Assert.Equal(2, (await client.GetTurnsAsync("tom")).Count);
        Assert.StartsWith($"pid={restarted.Id} ", DataDirectoryLock.ReadOwner(data.Path), StringComparison.Ordinal);
    }

    // memfab serve as a real process (the built memfab.dll), not waited for.
    private static ServerProcess Serve(string dataDirectory, string url) =>
        ServerProcess.Launch(new Uri(url), ["memfab.dll", "serve", "--data", dataDirectory, "--urls", url, "--embedder", "hashing"]);
}
