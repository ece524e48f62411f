using MemoryFabric.Retrieval;

namespace MemoryFabric.Persistence;

/// <summary>
/// The lexical section of a snapshot (the BM25 indexes of turns, episodes and notes: documents in slot order, then
/// each term's postings): how one index is written and read, and the section as a restore keeps it, stored, until the
/// first call that needs an index builds all three
/// (<see cref="LexicalIndexes"/>). A restore only walks over it (<see cref="Skip"/>): it defines the section's strings
/// in the snapshot's string table, as reading it does, without building a document table or a posting list. The
/// payload checksum covers these bytes, so a damaged section is refused by the restore; a well-formed but inconsistent
/// one (a writer's bug) is reported, with the same message, when it is built.
/// </summary>
internal sealed class DeferredLexicalSection
{
    private readonly byte[] _bytes;
    private readonly List<string> _strings;
    private readonly string _format;

    private DeferredLexicalSection(byte[] bytes, List<string> strings, string format)
    {
        _bytes = bytes;
        _strings = strings;
        _format = format;
    }

    /// <summary>The stored size of the section.</summary>
    public int Length => _bytes.Length;

    /// <summary>Walks over the three indexes of a lexical section and keeps a copy of their bytes and of the string
    /// table as it was where they start.</summary>
    /// <param name="r">The snapshot's reader, after the section's tag.</param>
    /// <param name="payload">The payload <paramref name="r"/> reads.</param>
    /// <param name="format">The format's name, for errors.</param>
    /// <returns>The section.</returns>
    public static DeferredLexicalSection Skip(ref PayloadReader r, ReadOnlySpan<byte> payload, string format)
    {
        var start = r.Position;
        var strings = r.CopySharedStrings();
        r.Section = "lexical index of turns";
        SkipIndex(ref r);
        r.Section = "lexical index of episodes";
        SkipIndex(ref r);
        r.Section = "lexical index of notes";
        SkipIndex(ref r);
        return new DeferredLexicalSection(payload[start..r.Position].ToArray(), strings, format);
    }

    /// <summary>Builds the three indexes, as a restore that reads the section at once would.</summary>
    /// <returns>The indexes of turns, episodes and notes.</returns>
    /// <exception cref="InvalidDataException">The section is inconsistent.</exception>
    public (Bm25Index<string> Turns, Bm25Index<string> Episodes, Bm25Index<string> Notes) Build()
    {
        var r = new PayloadReader(_bytes, _format, [.. _strings]);
        r.Section = "lexical index of turns";
        var turns = Read(ref r);
        r.Section = "lexical index of episodes";
        var episodes = Read(ref r);
        r.Section = "lexical index of notes";
        var notes = Read(ref r);
        r.ExpectEnd();
        return (turns, episodes, notes);
    }

    /// <summary>Writes one index: its live documents in slot order (dead slots dropped, order kept: BM25 ties break
    /// on it), then each term's postings as raw int32 (slot, frequency) pairs, which load with one copy.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="index">The index.</param>
    public static void Write(PayloadWriter w, Bm25Index<string> index)
    {
        var map = new int[index.SlotCount];
        var live = 0;
        for (var slot = 0; slot < map.Length; slot++)
        {
            map[slot] = index.IsLive(slot) ? live++ : -1;
        }

        w.WriteCount(live);
        for (var slot = 0; slot < map.Length; slot++)
        {
            if (map[slot] >= 0)
            {
                w.WriteRef(index.KeyAt(slot));
                w.WriteCount(index.LengthAt(slot));
            }
        }

        var terms = new List<(string Term, List<Bm25Index<string>.Posting> Postings, int Live)>();
        foreach (var (term, postings) in index.Postings)
        {
            var count = 0;
            foreach (var p in postings)
            {
                if (map[p.Slot] >= 0)
                {
                    count++;
                }
            }

            if (count > 0)
            {
                terms.Add((term, postings, count));
            }
        }

        w.WriteCount(terms.Count);
        var pairs = new List<int>();
        foreach (var (term, postings, count) in terms)
        {
            w.WriteRef(term);
            w.WriteCount(count);
            pairs.Clear();
            foreach (var p in postings)
            {
                if (map[p.Slot] >= 0)
                {
                    pairs.Add(map[p.Slot]);
                    pairs.Add(p.Frequency);
                }
            }

            w.WriteInt32s(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs));
        }
    }

    /// <summary>Reads one index (documents in slot order, then each term's postings as raw int32 pairs).</summary>
    /// <param name="r">The reader.</param>
    /// <returns>The index.</returns>
    public static Bm25Index<string> Read(ref PayloadReader r)
    {
        var index = new Bm25Index<string>();
        var documents = r.ReadCount(2);
        for (var i = 0; i < documents; i++)
        {
            var key = r.ReadRef();
            var length = r.ReadCount(0);
            if (index.Contains(key))
            {
                throw r.Error($"document '{key}' appears twice");
            }

            index.LoadDocument(key, length);
        }

        var terms = r.ReadCount(3);
        for (var t = 0; t < terms; t++)
        {
            var term = r.ReadRef();
            var count = ReadPostingCount(ref r, term);
            var postings = new List<Bm25Index<string>.Posting>(count);
            System.Runtime.InteropServices.CollectionsMarshal.SetCount(postings, count);
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(postings);
            r.ReadInt32s(System.Runtime.InteropServices.MemoryMarshal.Cast<Bm25Index<string>.Posting, int>(span));
            var previous = -1;
            foreach (var p in span)
            {
                if (p.Slot <= previous || p.Slot >= documents || p.Frequency <= 0)
                {
                    throw r.Error($"term '{term}' has a posting for document {p.Slot} of {documents} with frequency {p.Frequency}, or out of order");
                }

                previous = p.Slot;
            }

            try
            {
                index.LoadPostings(term, postings);
            }
            catch (InvalidDataException e)
            {
                throw r.Error(e.Message);
            }
        }

        return index;
    }

    // The same reads as Read, without building anything: the strings are defined, the postings passed over.
    private static void SkipIndex(ref PayloadReader r)
    {
        var documents = r.ReadCount(2);
        for (var i = 0; i < documents; i++)
        {
            r.ReadRef();
            r.ReadCount(0);
        }

        var terms = r.ReadCount(3);
        for (var t = 0; t < terms; t++)
        {
            var term = r.ReadRef();
            var count = ReadPostingCount(ref r, term);
            r.ReadBytes(count * 8);
        }
    }

    private static int ReadPostingCount(ref PayloadReader r, string term)
    {
        var count = r.ReadCount(2);
        if (count == 0)
        {
            throw r.Error($"term '{term}' has no postings");
        }

        if (count > r.Remaining / 8)
        {
            throw r.Error($"term '{term}' has {count} postings, more than the bytes left hold");
        }

        return count;
    }
}
