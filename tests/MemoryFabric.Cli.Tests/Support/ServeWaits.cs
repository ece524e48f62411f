using System.Net;

namespace MemoryFabric.Cli.Tests.Support;

/// <summary>What the tests that run <c>memfab serve</c> in-process wait for: readiness and the generated admin key.</summary>
internal static class ServeWaits
{
    /// <summary>Waits (up to two minutes) until <c>/readyz</c> answers 200; fails the test when serve exits first.</summary>
    /// <param name="http">A client with the server's base address.</param>
    /// <param name="serve">The running <c>memfab serve</c>.</param>
    public static async Task WaitUntilReadyAsync(HttpClient http, Task<CliResult> serve)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (serve.IsCompleted)
            {
                Assert.Fail("serve exited early: " + await serve);
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail("serve did not become ready");
    }

    /// <summary>Reads the admin key the server generated (on first use, which may come just after <c>/readyz</c>
    /// answers: waits up to five seconds for the file).</summary>
    /// <param name="path">The key file.</param>
    /// <returns>The key.</returns>
    public static async Task<string> ReadAdminKeyAsync(string path)
    {
        for (var i = 0; i < 100 && !File.Exists(path); i++)
        {
            await Task.Delay(50);
        }

        return (await File.ReadAllTextAsync(path)).Trim();
    }
}
