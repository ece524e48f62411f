using System.CommandLine;
using System.Globalization;
using MemoryFabric.Cli.Commands.Admin;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Storage.Sqlite;
using MemoryFabric.Storage.Sqlite.Backup;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab admin backup|restore|migrate</c>: the operator's commands for the embedded store. <c>backup</c>
/// talks to a running server with its admin key; <c>restore</c> and <c>migrate</c> work on a data directory that no
/// server is using.</summary>
internal static class AdminCommand
{
    private const string DatabaseFileName = "memoryfabric.db"; // SqliteActorStoreOptions.FileName's default, as the server uses

    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("admin", "Back up a running server's store, restore a backup into a new data directory, and migrate a data directory to this version.");
        command.Subcommands.Add(CreateBackup());
        command.Subcommands.Add(CreateRestore());
        command.Subcommands.Add(CreateMigrate());
        command.Subcommands.Add(ReindexCommand.Create()); // memfab admin reindex --tenant T (ReindexCommand.cs)
        return command;
    }

    private static Command CreateBackup()
    {
        var output = new Option<string>("--out", "-o") { Description = "The backup file to write (it must not exist).", HelpName = "file", Required = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines on standard error." };
        var connection = new AdminConnectionOptions();
        var command = new Command("backup", "Write a consistent online backup of a running server's embedded store (an SQLite file) while writes go on: "
            + "every write acknowledged before it started is in it, each batch wholly or not at all. Needs the admin key.")
        {
            output, quiet,
        };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var file = Path.GetFullPath(parseResult.GetValue(output)!);
            var silent = parseResult.GetValue(quiet);
            if (File.Exists(file) || Directory.Exists(file))
            {
                throw new UsageException($"--out: '{file}' exists; name a new file");
            }

            return AdminCommandRunner.RunAsync(parseResult, connection, async (admin, stdout, stderr, ct) =>
            {
                var partial = file + ".partial";
                var started = TimeProvider.System.GetTimestamp();
                if (!silent)
                {
                    await stderr.WriteLineAsync("memfab admin backup: the server is writing a consistent copy of its store...").ConfigureAwait(false);
                }

                long bytes;
                try
                {
                    var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                    await using (stream.ConfigureAwait(false))
                    {
                        bytes = await admin.BackupAsync(stream, ct).ConfigureAwait(false);
                        stream.Flush(flushToDisk: true);
                    }

                    if (!silent)
                    {
                        await stderr.WriteLineAsync($"memfab admin backup: received {Size(bytes)}; checking it (integrity_check)...").ConfigureAwait(false);
                    }

                    var info = SqliteBackup.Inspect(partial, ct);
                    File.Move(partial, file);
                    var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                    await stdout.WriteLineAsync(
                        $"backed up to {file}: {Size(bytes)}, schema {info.SchemaVersion}, {Count(info.Agents, "agent")}, in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                catch (InvalidDataException e)
                {
                    Delete(partial);
                    await stderr.WriteLineAsync($"memfab admin backup: the backup received is not usable: {e.Message.TrimEnd('.')}; no file was written").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }
                catch
                {
                    Delete(partial);
                    throw;
                }
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateRestore()
    {
        var file = new Argument<string>("FILE") { Description = "The backup file (from `memfab admin backup`)." };
        var data = new Option<string>("--data") { Description = "The data directory to restore into: new or empty.", HelpName = "dir", Required = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines on standard error." };
        var command = new Command("restore", "Restore a backup into a new or empty data directory (a non-empty one is refused), after checking that the file "
            + "is a MemoryFabric database of a known schema version that passes SQLite's integrity check. Then run `memfab serve --data DIR`.")
        {
            file, data, quiet,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var source = Path.GetFullPath(parseResult.GetValue(file)!);
            var directory = Path.GetFullPath(parseResult.GetValue(data)!);
            var silent = parseResult.GetValue(quiet);
            if (!File.Exists(source))
            {
                throw new UsageException($"FILE: no file '{source}'");
            }

            try
            {
                SqliteBackup.EnsureEmptyDirectory(directory);
            }
            catch (InvalidOperationException e)
            {
                await stderr.WriteLineAsync($"memfab admin restore: {e.Message.TrimEnd('.')}; nothing was written").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var length = new FileInfo(source).Length;
            if (!silent)
            {
                await stderr.WriteLineAsync($"memfab admin restore: checking {source} ({Size(length)}): header, schema version, integrity_check...").ConfigureAwait(false);
            }

            SqliteDatabaseInfo restored;
            try
            {
                var lastTenth = 0;
                var progress = silent ? null : new SynchronousProgress<long>(copied =>
                {
                    var tenth = length == 0 ? 10 : (int)(copied * 10 / length);
                    if (tenth > lastTenth)
                    {
                        lastTenth = tenth;
                        stderr.WriteLine($"memfab admin restore: copied {Size(copied)} of {Size(length)} ({tenth * 10} %)");
                    }
                });
                restored = await SqliteBackup.RestoreAsync(source, directory, DatabaseFileName, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                await stderr.WriteLineAsync($"memfab admin restore: {e.Message.TrimEnd('.')}; nothing was written").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
            catch (InvalidOperationException e) // the directory was taken meanwhile (DataDirectoryInUseException), or filled
            {
                await stderr.WriteLineAsync($"memfab admin restore: {e.Message.TrimEnd('.')}; nothing was written").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await stdout.WriteLineAsync(
                $"restored {Count(restored.Agents, "agent")} (schema {restored.SchemaVersion}, {Size(restored.Bytes)}) into {directory}; start it with `memfab serve --data {directory}` "
                + "(tenants and their keys are in the backup; the admin key is not: a new one is made unless MEMORYFABRIC_ADMIN_KEY is set)").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateMigrate()
    {
        var data = new Option<string>("--data") { Description = "The data directory (no server may be running on it).", HelpName = "dir", Required = true };
        var command = new Command("migrate", "Upgrade a data directory written by an earlier release to this version's formats: backs the database up next to "
            + "the directory first (named with its old versions), then upgrades the schema and rewrites older agent snapshots. Changes nothing when "
            + "the directory is current.")
        {
            data,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var directory = Path.GetFullPath(parseResult.GetValue(data)!);
            var database = Path.Combine(directory, DatabaseFileName);
            if (!File.Exists(database))
            {
                throw new UsageException($"--data: no MemoryFabric database in '{directory}' (no {DatabaseFileName})");
            }

            // The directory's lock for the whole migration: refused while a server (or any memfab command) uses it.
            DataDirectoryLock directoryLock;
            try
            {
                directoryLock = DataDirectoryLock.Acquire(directory);
            }
            catch (DataDirectoryInUseException e)
            {
                await stderr.WriteLineAsync($"memfab admin migrate: {e.Message.TrimEnd('.')}; nothing was changed").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            using var held = directoryLock;
            DataFormats before;
            try
            {
                before = DataMigration.ReadFormats(database);
            }
            catch (InvalidDataException e)
            {
                await stderr.WriteLineAsync($"memfab admin migrate: {e.Message.TrimEnd('.')}; nothing was changed").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (before.IsCurrent)
            {
                await stdout.WriteLineAsync($"{directory} is current ({before}): nothing to migrate, nothing was changed").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await stdout.WriteLineAsync($"{directory}: {before}").ConfigureAwait(false);
            var backup = DataMigration.BackupPath(directory, before, TimeProvider.System);
            await SqliteBackup.WriteAsync(database, backup, cancellationToken).ConfigureAwait(false);
            var saved = SqliteBackup.Inspect(backup, cancellationToken);
            await stdout.WriteLineAsync($"backed up to {backup} ({Size(saved.Bytes)}); to undo, restore it: memfab admin restore {backup} --data <empty dir>").ConfigureAwait(false);

            var progress = new LineProgress(stdout, "  ");
            var rewritten = await DataMigration.UpgradeAsync(directory, progress, cancellationToken).ConfigureAwait(false);
            var after = DataMigration.ReadFormats(database);
            await stdout.WriteLineAsync(
                $"migrated {directory}: schema {before.SchemaVersion} -> {after.SchemaVersion}{(before.Stamped ? string.Empty : ", application id stamped")}, "
                + $"{Count(rewritten, "agent snapshot")} rewritten at format {AgentMemory.SnapshotFormatVersion}; now {after}").ConfigureAwait(false);
            return after.IsCurrent ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1 << 20 => $"{(bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} KB",
        _ => $"{(bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture)} MB",
    };

    private static string Count(long count, string noun) => $"{count.ToString("N0", CultureInfo.InvariantCulture)} {noun}{(count == 1 ? string.Empty : "s")}";

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
