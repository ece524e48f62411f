using MemoryFabric.Retrieval;

namespace MemoryFabric;

// ContextRequest.Explain: what found each packed item (lexical, dense, expansion, consensus), its score and tokens,
// and the best-ranked items the packer left out. Built from the ranking the context was packed from, only when asked.
public sealed partial class AgentMemory
{
    private static ContextExplanation ExplainVerbatim(IReadOnlyList<ContextItem> items, int budget) =>
        new(items.Select((item, i) => new ExplainedItem(item.Kind, item.Id, item.Text, i + 1, 0, ContextTokens.Count(item.Text), [])).ToList(), [], items.Count, budget);

    private ContextExplanation ExplainRetrieved(List<Ranked> ranked, IReadOnlyList<ContextItem> packed, Dictionary<ContextItem, string> leftOut, int budget)
    {
        var guard = ActiveGuard is { Consensus: true } g ? g : null;
        var main = guard is null ? null : MainParticipantsNow(guard);
        var selected = new HashSet<ContextItem>(packed, ReferenceEqualityComparer.Instance);
        var items = new List<ExplainedItem>(packed.Count);
        var below = new List<ExplainedItem>(ContextExplanation.BelowCutLimit);
        for (var i = 0; i < ranked.Count; i++)
        {
            var r = ranked[i];
            if (selected.Contains(r.Item))
            {
                items.Add(Explain(r, i + 1, guard, main));
            }
            else if (below.Count < ContextExplanation.BelowCutLimit && leftOut.TryGetValue(r.Item, out var why))
            {
                below.Add(Explain(r, i + 1, guard, main) with { LeftOut = why });
            }
        }

        return new ContextExplanation(items, below, ranked.Count, budget);
    }

    private ExplainedItem Explain(Ranked r, int rank, Guard.MemoryGuardOptions? guard, HashSet<string>? main)
    {
        var consensus = guard is null ? null : HasWeakSource(r, main!, guard) ? "checked" : "trusted";
        var signals = new List<string>(4);
        if (r.LexicalRank is not null)
        {
            signals.Add("lexical");
        }

        if (r.DenseRank is not null)
        {
            signals.Add("dense");
        }

        if (r.Expansion > 0)
        {
            signals.Add("expansion");
        }

        if (r.Replaces)
        {
            signals.Add("successor");
        }

        if (consensus == "checked")
        {
            signals.Add("consensus");
        }

        return new ExplainedItem(r.Kind, r.Id, r.Item.Text, rank, r.Item.Score, ContextTokens.Count(r.Item.Text), signals)
        {
            LexicalRank = r.LexicalRank,
            DenseRank = r.DenseRank,
            Expansion = r.Expansion,
            Consensus = consensus,
        };
    }
}
