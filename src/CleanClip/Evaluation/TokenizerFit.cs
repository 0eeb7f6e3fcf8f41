using CleanClip.Models;
using CleanClip.Text;

namespace CleanClip.Evaluation;

internal static class TokenizerFit
{
    /// <summary>
    /// A vocabulary with more tokens than the model's embedding table would index past it: refused before any work
    /// starts. A tokenizer context longer than the model's is allowed (prompts are short); the model refuses a caption
    /// that does not end within its positions.
    /// </summary>
    public static void Check(ClipModel model, ClipTokenizer tokenizer, string vocabPath)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException(
                $"the vocabulary {vocabPath} has {tokenizer.VocabSize} tokens but model {model.Config.Name} embeds only {model.Config.VocabSize}; use the vocabulary the model was trained with");
    }
}
