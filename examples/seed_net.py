"""The example network of the vendor's eager-mode guide (MNIST, input 1x1x28x28).

`qcheck examples/seed_net.py:Net --march bayes --input-shape 1x1x28x28` passes;
on bernoulli2 it fails at `avg_pool`, whose kernel 8 is above that march's limit of 7.
"""

from torch import nn
from torch.ao.quantization import DeQuantStub, QuantStub


class ConvBNReLU(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
        )


class Classifier(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, data):
        return self.conv(data)


class Net(nn.Module):
    def __init__(self, avg_kernel=8):
        super().__init__()
        self.conv0 = ConvBNReLU(1, 10, 5)
        self.max_pool = nn.MaxPool2d(kernel_size=2)
        self.conv1 = ConvBNReLU(10, 20, 5)
        self.avg_pool = nn.AvgPool2d(kernel_size=avg_kernel)
        self.classifier = Classifier(20, 10)
        # The vendor's QuantStub takes scale=1/128 for camera input; torch's takes no scale.
        self.quant = QuantStub()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.conv0(x)
        x = self.max_pool(x)
        x = self.conv1(x)
        x = self.avg_pool(x)
        x = self.classifier(x)
        return self.dequant(x)
