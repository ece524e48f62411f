using System.CommandLine;
using System.Text;
using MemoryFabric.Cli.Connection;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab export --agent A [--out FILE]</c>: an agent's turns, episodes and every note version as JSON
/// lines, byte for byte as the server sends them (the input of <c>memfab import</c>).</summary>
internal static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Write to this file (replaced once the export is complete) instead of standard output.",
            HelpName = "file",
        };
        var quiet = ProgressDisplay.QuietOption();
        var connection = new ConnectionOptions();
        var command = new Command("export", "Export an agent's memory as JSON lines (turns, episodes, every note version).") { output, quiet };
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetValue(output);
            if (path is not null && Directory.Exists(path))
            {
                throw new UsageException($"--out {path}: is a directory");
            }

            var settings = connection.Read(parseResult);

            // Not when the records go to this terminal too: the display would be drawn over them.
            var showProgress = ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)) && (path is not null || !ProgressDisplay.IsTerminalOutput(stdout));
            Task<long> ExportAsync(MemoryFabricConnection open, Stream destination, Func<long> lines, CancellationToken ct) =>
                ProgressDisplay.RunAsync(stderr, showProgress, ProgressStyle.Spinners, async display =>
                {
                    var spinner = display.Start($"export {settings.Agent}");
                    using var ticker = display.IsLive ? new Timer(_ => spinner.Describe($"export {settings.Agent}: {CommandOutput.Count(lines())} records"), null, 0, 200) : null;
                    var bytes = await open.Client.ExportToAsync(settings.Agent, destination, ct).ConfigureAwait(false);
                    spinner.Complete();
                    return bytes;
                });

            return await DataCommandRunner.RunAsync(settings, stderr, async (open, ct) =>
            {
                if (path is null)
                {
                    var counter = new LineCountingStream(new TextWriterStream(stdout));
                    await ExportAsync(open, counter, () => counter.Lines, ct).ConfigureAwait(false);
                    await stdout.FlushAsync(ct).ConfigureAwait(false);
                    await stderr.WriteLineAsync($"memfab export: {settings.Agent}: {counter.Lines} records").ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                var full = Path.GetFullPath(path);
                var temporary = full + ".partial";
                try
                {
                    long lines;
                    var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
                    await using (file.ConfigureAwait(false))
                    {
                        var counter = new LineCountingStream(file);
                        await ExportAsync(open, counter, () => counter.Lines, ct).ConfigureAwait(false);
                        lines = counter.Lines;
                    }

                    File.Move(temporary, full, overwrite: true);
                    await stderr.WriteLineAsync($"memfab export: {settings.Agent}: {lines} records ({CommandOutput.Count(new FileInfo(full).Length)} bytes) written to {path}").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"--out {path}: {e.Message}", e);
                }
                finally
                {
                    TryDelete(temporary);
                }
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover .partial file is harmless.
        }
    }

    /// <summary>Counts the lines (records) written through it.</summary>
    private sealed class LineCountingStream(Stream inner) : Stream
    {
        private long _lines;

        public long Lines => Interlocked.Read(ref _lines);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Count(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Count(ReadOnlySpan<byte> bytes) => Interlocked.Add(ref _lines, bytes.Count((byte)'\n'));
    }

    /// <summary>Writes UTF-8 bytes to a <see cref="TextWriter"/> (standard output as the command was given it),
    /// decoding sequences split between writes correctly.</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => writer.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => writer.Write(Decode(buffer.AsSpan(offset, count)));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            await writer.WriteAsync(Decode(buffer.Span).AsMemory(), cancellationToken).ConfigureAwait(false);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private char[] Decode(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
            _decoder.GetChars(bytes, chars, flush: false);
            return chars;
        }
    }
}
