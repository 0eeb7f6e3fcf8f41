using System.CommandLine;
using CleanClip.Training;
using CleanClip.Training.Augmentation;
using CleanClip.Optimization;

namespace CleanClip.Cli;

/// <summary>The training options of <c>train</c> and <c>clean</c>: one option per <see cref="TrainingOptions"/> field, defaults from the record.</summary>
public sealed class TrainingCliOptions
{
    private readonly Option<TrainingMethod> _method;
    private readonly Option<int> _epochs, _batch, _warmup, _threads, _saveEvery, _keep, _logEvery, _evalEvery;
    private readonly Option<double> _lr, _wd, _beta1, _beta2, _eps, _clipWeight, _inModalWeight, _edaAlpha, _parTau, _parWeight;
    private readonly Option<double?> _gradClip;
    private readonly Option<ScheduleMode> _schedule;
    private readonly Option<DecayRule> _decayRule;
    private readonly Option<bool> _symmetric, _restoreOptimizer, _noTensorBoard, _noWordNet;
    private readonly Option<string> _augmentation;
    private readonly Option<EdaRefresh> _edaRefresh;
    private readonly Option<string?> _wordNet;
    private readonly Option<ulong> _seed;
    private readonly Option<long?> _stopAfter;
    private readonly Option<CleanClip.Models.Precision> _precision;
    private readonly Option<bool> _forceBf16 = CliOptions.ForceBf16();

    public TrainingCliOptions(TrainingOptions d)
    {
        _method = new(OptionNames.Method) { Description = "Mmcl (CLIP loss), CleanClip (CLIP + in-modal), Ssl (in-modal only) or Par (CLIP − perturbation from the frozen initial model, docs/par.md).", DefaultValueFactory = _ => d.Method };
        _epochs = TrainingLoopCliOptions.Epochs(d.Epochs);
        _batch = CliOptions.BatchSize(d.BatchSize, "Pairs per step (global, as in the reference).");
        _lr = TrainingLoopCliOptions.LearningRate(d.LearningRate);
        _warmup = TrainingLoopCliOptions.Warmup(d.WarmupSteps);
        _wd = TrainingLoopCliOptions.WeightDecay(d.WeightDecay, "on the parameters --decay-rule selects");
        _beta1 = new("--beta1") { Description = "AdamW's β1, the decay of its first-moment (mean) estimate.", DefaultValueFactory = _ => d.Beta1 };
        _beta2 = new(OptionNames.Beta2) { Description = "AdamW's β2, the decay of its second-moment estimate.", DefaultValueFactory = _ => d.Beta2 };
        _eps = new("--eps") { Description = "AdamW's ε, added to the root of the second moment.", DefaultValueFactory = _ => d.Epsilon };
        _schedule = new("--schedule") { Description = "FromZero, or Reference (its one-epoch shift that skips warmup).", DefaultValueFactory = _ => d.Schedule };
        _decayRule = new("--decay-rule") { Description = "Role (no decay on norms, biases, logit_scale) or Reference (its name-substring rule).", DefaultValueFactory = _ => d.DecayRule };
        _gradClip = new("--grad-clip") { Description = "Clip the global gradient norm to this value (default: off)." };
        _clipWeight = new("--clip-weight") { Description = "λ1, weight of the CLIP loss.", DefaultValueFactory = _ => d.ClipWeight };
        _inModalWeight = new(OptionNames.InmodalWeight) { Description = "λ2, weight of the in-modal loss.", DefaultValueFactory = _ => d.InModalWeight };
        _symmetric = new("--symmetric-inmodal") { Description = "Both directions in each in-modal term (the reference: original→augmented only)." };
        _augmentation = new("--image-augmentation")
        {
            Description = $"{string.Join(", ", ImageAugmentations.Names)}: the in-modal view of CleanClip/Ssl, or Par's one view (default for Par: {TrainingOptions.DefaultImageAugmentation(TrainingMethod.Par, d.ImageAugmentation)}).",
            DefaultValueFactory = _ => d.ImageAugmentation,
        };
        _parTau = new("--par-tau") { Description = "PAR's τ in (0, 4]: each tower's term counts while its mean squared distance to the frozen model's normalised embeddings is at most τ.", DefaultValueFactory = _ => d.ParTau };
        _parWeight = new("--par-weight") { Description = "PAR's w: the loss is --clip-weight·CLIP − w·½(P_image + P_text).", DefaultValueFactory = _ => d.ParWeight };
        _edaRefresh = new("--eda-refresh") { Description = "Static (once per caption, the reference) or Epoch.", DefaultValueFactory = _ => d.EdaRefresh };
        _wordNet = new("--wordnet") { Description = "WordNet 3.0 database folder for EDA synonyms (default: $WNHOME/dict, /usr/share/wordnet)." };
        _noWordNet = new(OptionNames.NoWordnet) { Description = "Run CleanClip/Ssl without WordNet: EDA with swap and deletion only (recorded as eda_mode). Without it such a run refuses to start when WordNet is missing." };
        _edaAlpha = new("--eda-alpha") { Description = "EDA's α: the share of a caption's words one augmentation changes (at least one word).", DefaultValueFactory = _ => d.EdaAlpha };
        _restoreOptimizer = new("--restore-optimizer") { Description = "Restore the AdamW moments stored in the initial checkpoint (what the reference silently does)." };
        _seed = CliOptions.Seed(d.Seed, "Seed of fresh weights, the data order and the augmentations; with --eval-data also of the triggers (the default of --trigger-seed).");
        _precision = CliOptions.Precision(d.Precision);
        _threads = DataCliOptions.DecodeThreads(d.DecodeThreads);
        _saveEvery = TrainingLoopCliOptions.SaveEvery(d.SaveEverySteps);
        _keep = TrainingLoopCliOptions.Keep(d.KeepCheckpoints, "the best by validation loss is kept apart");
        _logEvery = TrainingLoopCliOptions.LogEvery(d.LogEverySteps);
        _evalEvery = new("--eval-every") { Description = "Zero-shot evaluation every N epochs when --eval-data is given.", DefaultValueFactory = _ => d.EvalEveryEpochs };
        _noTensorBoard = new("--no-tensorboard") { Description = "Do not write TensorBoard event files." };
        _stopAfter = TrainingLoopCliOptions.StopAfter();
    }

    public IEnumerable<Option> All => new Option[]
    {
        _method, _epochs, _batch, _lr, _warmup, _wd, _beta1, _beta2, _eps, _schedule, _decayRule, _gradClip, _clipWeight,
        _inModalWeight, _symmetric, _augmentation, _parTau, _parWeight, _edaRefresh, _wordNet, _noWordNet, _edaAlpha, _restoreOptimizer, _seed, _precision, _forceBf16, _threads,
        _saveEvery, _keep, _logEvery, _evalEvery, _noTensorBoard, _stopAfter,
    };

    /// <summary>Each option's <see cref="TrainingOptions"/> property, for <see cref="TrainJobOptions.Given"/>.</summary>
    private IEnumerable<(Option Option, string Property)> Properties =>
    [
        (_method, nameof(TrainingOptions.Method)), (_epochs, nameof(TrainingOptions.Epochs)), (_batch, nameof(TrainingOptions.BatchSize)),
        (_lr, nameof(TrainingOptions.LearningRate)), (_warmup, nameof(TrainingOptions.WarmupSteps)), (_wd, nameof(TrainingOptions.WeightDecay)),
        (_beta1, nameof(TrainingOptions.Beta1)), (_beta2, nameof(TrainingOptions.Beta2)), (_eps, nameof(TrainingOptions.Epsilon)),
        (_schedule, nameof(TrainingOptions.Schedule)), (_decayRule, nameof(TrainingOptions.DecayRule)), (_gradClip, nameof(TrainingOptions.GradientClipNorm)),
        (_clipWeight, nameof(TrainingOptions.ClipWeight)), (_inModalWeight, nameof(TrainingOptions.InModalWeight)),
        (_symmetric, nameof(TrainingOptions.SymmetricInModal)), (_augmentation, nameof(TrainingOptions.ImageAugmentation)),
        (_parTau, nameof(TrainingOptions.ParTau)), (_parWeight, nameof(TrainingOptions.ParWeight)),
        (_edaRefresh, nameof(TrainingOptions.EdaRefresh)), (_wordNet, nameof(TrainingOptions.WordNet)), (_noWordNet, nameof(TrainingOptions.NoWordNet)), (_edaAlpha, nameof(TrainingOptions.EdaAlpha)),
        (_restoreOptimizer, nameof(TrainingOptions.RestoreOptimizer)), (_seed, nameof(TrainingOptions.Seed)), (_precision, nameof(TrainingOptions.Precision)),
        (_threads, nameof(TrainingOptions.DecodeThreads)), (_saveEvery, nameof(TrainingOptions.SaveEverySteps)), (_keep, nameof(TrainingOptions.KeepCheckpoints)),
        (_logEvery, nameof(TrainingOptions.LogEverySteps)), (_evalEvery, nameof(TrainingOptions.EvalEveryEpochs)),
        (_noTensorBoard, nameof(TrainingOptions.TensorBoard)), (_stopAfter, nameof(TrainingOptions.StopAfterSteps)),
    ];

    /// <summary>The options given on the command line (not defaulted), property name → option name.</summary>
    public Dictionary<string, string> Given(ParseResult parse) =>
        Properties.Where(p => CliOptions.WasGiven(parse, p.Option)).ToDictionary(p => p.Property, p => p.Option.Name);

    /// <summary>The options as given, each one not given taken from <paramref name="d"/> (the defaults of the preset in use).</summary>
    /// <param name="device">The --device the run uses (bf16 on a CPU without native bf16 falls back to fp32).</param>
    public TrainingOptions Read(ParseResult parse, TrainingOptions d, string device)
    {
        T Or<T>(Option<T> option, T fallback) => CliOptions.Or(parse, option, fallback);
        return d with
        {
            Method = Or(_method, d.Method),
            // An augmentation given explicitly wins; otherwise the method's own (PAR's light one for Par).
            ImageAugmentation = CliOptions.WasGiven(parse, _augmentation)
                ? parse.GetValue(_augmentation)!
                : TrainingOptions.DefaultImageAugmentation(Or(_method, d.Method), d.ImageAugmentation),
            ParTau = Or(_parTau, d.ParTau), ParWeight = Or(_parWeight, d.ParWeight), Epochs = Or(_epochs, d.Epochs), BatchSize = Or(_batch, d.BatchSize),
            LearningRate = Or(_lr, d.LearningRate), WarmupSteps = Or(_warmup, d.WarmupSteps), WeightDecay = Or(_wd, d.WeightDecay),
            Beta1 = Or(_beta1, d.Beta1), Beta2 = Or(_beta2, d.Beta2), Epsilon = Or(_eps, d.Epsilon),
            Schedule = Or(_schedule, d.Schedule), DecayRule = Or(_decayRule, d.DecayRule), GradientClipNorm = Or(_gradClip, d.GradientClipNorm),
            ClipWeight = Or(_clipWeight, d.ClipWeight), InModalWeight = Or(_inModalWeight, d.InModalWeight), SymmetricInModal = Or(_symmetric, d.SymmetricInModal),
            EdaRefresh = Or(_edaRefresh, d.EdaRefresh), WordNet = Or(_wordNet, d.WordNet),
            NoWordNet = Or(_noWordNet, d.NoWordNet), EdaAlpha = Or(_edaAlpha, d.EdaAlpha), RestoreOptimizer = Or(_restoreOptimizer, d.RestoreOptimizer),
            Seed = Or(_seed, d.Seed),
            // No preset changes the precision: the option's own default is the record's.
            Precision = CliOptions.ChoosePrecision(parse, _precision, _forceBf16, device),
            DecodeThreads = Or(_threads, d.DecodeThreads), SaveEverySteps = Or(_saveEvery, d.SaveEverySteps), KeepCheckpoints = Or(_keep, d.KeepCheckpoints),
            LogEverySteps = Or(_logEvery, d.LogEverySteps), EvalEveryEpochs = Or(_evalEvery, d.EvalEveryEpochs),
            TensorBoard = CliOptions.WasGiven(parse, _noTensorBoard) ? !parse.GetValue(_noTensorBoard) : d.TensorBoard,
            StopAfterSteps = Or(_stopAfter, d.StopAfterSteps),
        };
    }
}
