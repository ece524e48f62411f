using MemoryFabric.Cli.Connection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Cli.Tests;

// The in-process server's log on memfab's error writer: warnings of our own, never the runtime's chatter. A CI run on a
// loaded machine once printed eight lines of Polly's retry telemetry under a one-line 404.
public sealed class ErrorWriterLogTests
{
    [Theory]
    [InlineData("Polly", LogLevel.Warning, false)]
    [InlineData("Polly", LogLevel.Error, true)]
    [InlineData("Orleans.Runtime.Watchdog", LogLevel.Warning, false)]
    [InlineData("MemoryFabric.Server.Hosting.EngineWarmup", LogLevel.Warning, true)]
    [InlineData("MemoryFabric.Server.Hosting.EmbedderHolder", LogLevel.Information, true)]
    [InlineData("MemoryFabric.Server.Endpoints", LogLevel.Information, false)]
    public void Only_what_concerns_the_user_is_written(string category, LogLevel level, bool written)
    {
        using var writer = new StringWriter();
        using var provider = new ErrorWriterLoggerProvider(writer);

        var logger = provider.CreateLogger(category);
        logger.Log(level, "something happened");

        Assert.Equal(written, logger.IsEnabled(level));
        Assert.Equal(written, writer.ToString().Contains("something happened", StringComparison.Ordinal));
    }
}
