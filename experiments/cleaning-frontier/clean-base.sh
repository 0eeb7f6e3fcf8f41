# Sourced by the cleaning-frontier scripts. clean_base W S TABLE prints the JSON list items of a sweep grid's fixed
# `clean` arguments: seed S's poisoned model of world folder W, cleaned on TABLE with the demo's batch, warmup and β2,
# evaluated zero-shot on the shipped test images (BadNet 8 px, target sneaker) every 5 epochs.
clean_base() {
  local W=$1 S=$2 TABLE=$3
  printf '%s' "\"clean\", \"--checkpoint\", \"$W/poisoned/model.safetensors\", \"--train-data\", \"$TABLE\",
    \"--vocab\", \"$W/vocab.txt.gz\", \"--batch-size\", \"64\", \"--warmup\", \"12\", \"--beta2\", \"0.98\", \"--seed\", \"$S\",
    \"--no-tensorboard\", \"--eval-data\", \"data/fashion-mnist\", \"--target\", \"sneaker\", \"--trigger\", \"badnet\",
    \"--patch-size\", \"8\", \"--trigger-seed\", \"$S\", \"--eval-every\", \"5\""
}
