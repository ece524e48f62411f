using System.CommandLine;
using MemoryFabric.Cli.Connection;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab import FILE --agent A</c>: loads JSON lines written by <c>memfab export</c> into an agent: turns
/// (ids kept, duplicates skipped) and note versions (ids, lineage, history kept); episodes are rebuilt by
/// consolidation.</summary>
internal static class ImportCommand
{
    /// <summary>The most bytes sent per request: the server refuses bodies over 16 MiB by default, so a large export
    /// goes in several requests, split at record boundaries.</summary>
    internal const int ChunkBytes = 8 * 1024 * 1024;

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The JSON lines file written by memfab export; - reads standard input." };
        var consolidate = new Option<bool>("--consolidate")
        {
            Description = "Consolidate the agent at the end (episodes are not imported, consolidation rebuilds them).",
        };
        var quiet = ProgressDisplay.QuietOption();
        var connection = new ConnectionOptions();
        var command = new Command("import", "Import JSON lines written by memfab export into an agent (existing ids are skipped).") { file, consolidate, quiet };
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetValue(file)!;
            var fromStdin = path == "-";
            if (!fromStdin)
            {
                if (Directory.Exists(path))
                {
                    throw new UsageException($"{path}: is a directory, not an export file");
                }

                if (!File.Exists(path))
                {
                    throw new UsageException($"{path}: file not found");
                }

                if (new FileInfo(path).Length == 0)
                {
                    throw new UsageException($"{path}: is empty");
                }
            }

            var withConsolidation = parseResult.GetValue(consolidate);
            var showProgress = ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet));
            var settings = connection.Read(parseResult);
            return await DataCommandRunner.RunAsync(settings, stderr, async (open, ct) =>
            {
                Stream source;
                try
                {
                    source = fromStdin ? Console.OpenStandardInput() : File.OpenRead(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"{path}: cannot be read: {e.Message}", e);
                }

                long turns = 0, notes = 0, skipped = 0;
                var requests = 0;
                long? size = fromStdin ? null : new FileInfo(path).Length;
                await using (source.ConfigureAwait(false))
                {
                    await ProgressDisplay.RunAsync(stderr, showProgress, ProgressStyle.Bars, async display =>
                    {
                        var bar = display.Start($"import {settings.Agent}", size);
                        long bytes = 0;
                        await foreach (var chunk in ReadChunksAsync(source, ChunkBytes, ct).ConfigureAwait(false))
                        {
                            using var body = new MemoryStream(chunk, writable: false);
                            var result = await open.Client.ImportAsync(settings.Agent, body, ct).ConfigureAwait(false);
                            turns += result.Turns;
                            notes += result.Notes;
                            skipped += result.Skipped;
                            requests++;
                            bytes += chunk.Length;
                            bar.Report(bytes);
                            bar.Describe($"import {settings.Agent}: {CommandOutput.Count(turns)} turns, {CommandOutput.Count(notes)} note versions");
                        }

                        bar.Complete();
                        return requests;
                    }).ConfigureAwait(false);
                }

                if (requests == 0)
                {
                    throw new UsageException($"{path}: holds no records");
                }

                await stdout.WriteLineAsync(
                    $"{settings.Agent}: imported {CommandOutput.Count(turns)} turns, {CommandOutput.Count(notes)} note versions, "
                    + $"{CommandOutput.Count(skipped)} skipped (existing ids, episodes)").ConfigureAwait(false);
                if (withConsolidation)
                {
                    var report = await ProgressDisplay.RunAsync(stderr, showProgress, ProgressStyle.Spinners, display =>
                    {
                        display.Start($"{settings.Agent}: consolidating");
                        return open.Client.ConsolidateAsync(settings.Agent, ct);
                    }).ConfigureAwait(false);
                    await stdout.WriteLineAsync(
                        $"{settings.Agent}: consolidated: {report.Episodes} episodes, {report.NotesAdded} notes added in {CommandOutput.Seconds(report.Duration)}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Splits JSON lines into request bodies of at most <paramref name="limit"/> bytes (a longer single line is
    /// sent alone, for the server to judge), skipping blank lines.</summary>
    /// <param name="source">The JSON lines.</param>
    /// <param name="limit">The most bytes per chunk.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The chunks.</returns>
    internal static async IAsyncEnumerable<byte[]> ReadChunksAsync(Stream source, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var chunk = new MemoryStream();
        using var line = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var span = buffer.AsMemory(0, read);
            while (!span.IsEmpty)
            {
                var end = span.Span.IndexOf((byte)'\n');
                if (end < 0)
                {
                    line.Write(span.Span);
                    break;
                }

                line.Write(span.Span[..(end + 1)]);
                span = span[(end + 1)..];
                if (Flush(chunk, line, limit) is { } full)
                {
                    yield return full;
                }
            }
        }

        if (line.Length > 0)
        {
            line.WriteByte((byte)'\n');
            if (Flush(chunk, line, limit) is { } full)
            {
                yield return full;
            }
        }

        if (chunk.Length > 0)
        {
            yield return chunk.ToArray();
        }
    }

    // Moves the completed line into the chunk; returns the previous chunk when the line does not fit in it.
    private static byte[]? Flush(MemoryStream chunk, MemoryStream line, int limit)
    {
        byte[]? full = null;
        if (!IsBlank(line.GetBuffer().AsSpan(0, (int)line.Length)))
        {
            if (chunk.Length > 0 && chunk.Length + line.Length > limit)
            {
                full = chunk.ToArray();
                chunk.SetLength(0);
            }

            line.Position = 0;
            line.CopyTo(chunk);
        }

        line.SetLength(0);
        return full;
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }
}
