using CleanClip.Models;
using CleanClip.Text;

namespace CleanClip.Evaluation;

internal static class TokenizerFit
{
    /// <summary>
    /// A vocabulary with more tokens than the model's embedding table would index past it; a shorter context would
    /// not fill the positional embedding as the model was trained. Both are refused before any work starts.
    /// </summary>
    public static void Check(ClipModel model, ClipTokenizer tokenizer, string vocabPath)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException(
                $"the vocabulary {vocabPath} has {tokenizer.VocabSize} tokens but model {model.Config.Name} embeds only {model.Config.VocabSize}; use the vocabulary the model was trained with");
        if (tokenizer.ContextLength > model.Config.ContextLength)
            throw new ArgumentException(
                $"the tokenizer's context of {tokenizer.ContextLength} exceeds the model's {model.Config.ContextLength} positions");
    }
}
