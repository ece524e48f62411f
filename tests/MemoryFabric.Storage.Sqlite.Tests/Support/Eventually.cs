namespace MemoryFabric.Storage.Sqlite.Tests.Support;

/// <summary>Waits, in real time, for something that happens on other threads.</summary>
public static class Eventually
{
    /// <summary>The longest wait before a test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is awaited (for the failure message).</param>
    /// <param name="timeout">The longest wait; <see cref="Timeout"/> by default.</param>
    /// <returns>A task.</returns>
    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is awaited (for the failure message).</param>
    /// <returns>A task.</returns>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for: " + what);
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Gives other threads a moment, for checks that something does not happen.</summary>
    /// <returns>A task.</returns>
    public static Task Settle() => Task.Delay(150);
}
