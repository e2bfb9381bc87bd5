"""Skip-gram and CBOW with negative sampling or hierarchical softmax, as plain tensors updated in place.

Hand-written because gensim has no GPU path, and autograd plus a sparse optimiser would build dense
per-batch graphs for what is, per example, a handful of rows. Each step gathers the rows a batch
touches, computes the word2vec gradients in closed form and scatters them back with `index_add_`,
so the cost is proportional to the batch, never to the vocabulary. The update rules are the C
tool's (and gensim's), summed over the batch instead of applied one example at a time; a row that a
batch touches very often has its summed update scaled down (`_repeat_scale`), where sequential SGD
would have corrected itself between updates.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.word2vec.vocab import HuffmanTree, NoiseTable


MAX_REPEATS = 32


class Word2VecModel:
    """Input vectors (the embeddings) and output vectors (one per word for NS, per inner node for HS)."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        *,
        cbow: bool,
        noise: NoiseTable | None = None,
        negative: int = 5,
        tree: HuffmanTree | None = None,
        device: torch.device,
        generator: torch.Generator,
    ) -> None:
        if (noise is None) == (tree is None):
            raise ValueError("give exactly one of noise (negative sampling) or tree (hierarchical softmax)")
        self.cbow, self.noise, self.negative, self.generator = cbow, noise, negative, generator
        # gensim's initialisation: inputs uniform in (-1/dim, 1/dim), outputs zero.
        self.input = (torch.rand(vocab_size, dim, generator=generator, device=device) * 2 - 1) / dim  # (V, d)
        outputs = vocab_size if tree is None else vocab_size - 1
        self.output = torch.zeros(outputs, dim, device=device)  # (V or V-1, d)
        if tree is not None:
            self.points = torch.as_tensor(tree.points, device=device)  # (V, depth)
            self.labels = 1.0 - torch.as_tensor(tree.codes, device=device, dtype=torch.float32)  # (V, depth)
            depth = tree.points.shape[1]
            self.path_mask = (torch.arange(depth) < torch.as_tensor(tree.lengths).unsqueeze(1)).float().to(device)

    def step(self, inputs: torch.Tensor, targets: torch.Tensor, lr: float, input_mask: torch.Tensor | None = None) -> torch.Tensor:
        """One SGD step on a batch; returns the summed loss as a 0-d tensor (no host sync).

        Skip-gram: inputs (B,) context ids. CBOW: inputs (B, 2W) context ids with input_mask (B, 2W).
        targets (B,) are the centre words to predict.
        """
        if self.cbow:
            mask = input_mask.float()  # (B, 2W)
            count = mask.sum(1, keepdim=True)  # (B, 1)
            gathered = self.input.index_select(0, inputs.reshape(-1)).view(*inputs.shape, -1)  # (B, 2W, d)
            hidden = (gathered * mask.unsqueeze(2)).sum(1) / count  # (B, d), cbow_mean=1
        else:
            hidden = self.input.index_select(0, inputs)  # (B, d)
        rows, labels, weights = self._outputs_for(targets)  # (B, S) each
        # index_select and multiply-then-sum beat fancy indexing and bmm for these thin shapes on the CPU
        out = self.output.index_select(0, rows.reshape(-1)).view(*rows.shape, -1)  # (B, S, d)
        scores = (out * hidden.unsqueeze(1)).sum(2)  # (B, S)
        loss = (F.binary_cross_entropy_with_logits(scores, labels, reduction="none") * weights).sum()
        grad = (labels - torch.sigmoid(scores)) * weights * lr  # (B, S), the C tool's g
        grad = grad * self._repeat_scale(rows, weights, self.output.shape[0])
        grad_hidden = torch.bmm(grad.unsqueeze(1), out).squeeze(1)  # (B, d)
        self.output.index_add_(0, rows.reshape(-1), (grad.unsqueeze(2) * hidden.unsqueeze(1)).reshape(-1, hidden.shape[1]))
        if self.cbow:
            # Like C and gensim with cbow_mean=1, every context word gets the full error, not error / count.
            spread = grad_hidden.unsqueeze(1) * (mask * self._repeat_scale(inputs, mask, self.input.shape[0])).unsqueeze(2)  # (B, 2W, d)
            self.input.index_add_(0, inputs.reshape(-1), spread.reshape(-1, hidden.shape[1]))
        else:
            scale = self._repeat_scale(inputs, torch.ones_like(inputs, dtype=torch.float32), self.input.shape[0])  # (B,)
            self.input.index_add_(0, inputs, grad_hidden * scale.unsqueeze(1))
        return loss

    @staticmethod
    def _repeat_scale(rows: torch.Tensor, present: torch.Tensor, vocab: int) -> torch.Tensor:
        """Per-entry factors (shape of rows) so no row moves by more than MAX_REPEATS examples' worth in one step.

        Sequential SGD self-corrects between two updates of a frequent word; a summed batch cannot,
        and on a small vocabulary hundreds of same-direction updates make the vectors blow up.
        Rows seen at most MAX_REPEATS times in the batch keep their plain sum (factor 1); entries
        where `present` is 0 (padding, skipped negatives) are not counted.
        """
        repeats = torch.bincount(rows.reshape(-1), weights=present.reshape(-1).float(), minlength=vocab)[rows]  # (rows.shape)
        return (MAX_REPEATS / repeats.float()).clamp_(max=1.0)

    def _outputs_for(self, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Output rows to score for each target, their labels and weights: (B, S) each.

        NS: the target (label 1) then `negative` noise words (label 0); a noise word that is the
        target itself is skipped (weight 0), as gensim does. HS: the target's path of inner nodes,
        label 1 - code, weight 0 on padding.
        """
        if self.noise is not None:
            noise = self.noise.sample((targets.shape[0], self.negative), self.generator)  # (B, K)
            rows = torch.cat([targets.unsqueeze(1), noise], dim=1)  # (B, 1+K)
            labels = torch.zeros(rows.shape, device=rows.device)
            labels[:, 0] = 1.0
            weights = torch.ones(rows.shape, device=rows.device)
            weights[:, 1:] = (noise != targets.unsqueeze(1)).float()
            return rows, labels, weights
        return self.points[targets], self.labels[targets], self.path_mask[targets]
